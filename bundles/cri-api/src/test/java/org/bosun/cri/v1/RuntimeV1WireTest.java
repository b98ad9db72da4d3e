package org.bosun.cri.v1;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import io.grpc.stub.StreamObserver;

/**
 * The generated CRI v1 code on the transport kubelet uses: gRPC over a unix socket. The method
 * paths are the wire contract (package runtime.v1, the service and method names); a method the
 * server does not implement answers UNIMPLEMENTED, never a fake success.
 */
public class RuntimeV1WireTest {
    private Path dir;
    private EventLoopGroup loops;
    private Server server;
    private ManagedChannel channel;

    @Before
    public void serve() throws Exception {
        dir = Files.createTempDirectory("cri-wire");
        Path socket = dir.resolve("cri.sock");
        loops = new EpollEventLoopGroup(1);
        server = NettyServerBuilder.forAddress(new DomainSocketAddress(socket.toString()))
                .channelType(EpollServerDomainSocketChannel.class).bossEventLoopGroup(loops).workerEventLoopGroup(loops)
                .addService(new RuntimeServiceGrpc.RuntimeServiceImplBase() {
                    @Override
                    public void version(VersionRequest request, StreamObserver<VersionResponse> response) {
                        response.onNext(VersionResponse.newBuilder().setVersion("0.1.0").setRuntimeName("wire-test")
                                .setRuntimeVersion(request.getVersion()).setRuntimeApiVersion("v1").build());
                        response.onCompleted();
                    }
                }).build().start();
        channel = Grpc.newChannelBuilder("unix://" + socket, InsecureChannelCredentials.create()).build();
    }

    @After
    public void stop() throws Exception {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        if (server != null) {
            server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        if (loops != null) {
            loops.shutdownGracefully(0, 0, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
        }
        Files.deleteIfExists(dir.resolve("cri.sock"));
        Files.deleteIfExists(dir);
    }

    @Test
    public void theMethodPathsAreTheCriWireContract() {
        assertEquals("runtime.v1.RuntimeService/Version", RuntimeServiceGrpc.getVersionMethod().getFullMethodName());
        assertEquals("runtime.v1.RuntimeService/GetContainerEvents",
                RuntimeServiceGrpc.getGetContainerEventsMethod().getFullMethodName());
        assertEquals("runtime.v1.ImageService/PullImage", ImageServiceGrpc.getPullImageMethod().getFullMethodName());
        assertEquals(35, RuntimeServiceGrpc.getServiceDescriptor().getMethods().size());
        assertEquals(6, ImageServiceGrpc.getServiceDescriptor().getMethods().size());
    }

    @Test
    public void aCallCrossesTheUnixSocket() {
        VersionResponse version = RuntimeServiceGrpc.newBlockingStub(channel)
                .version(VersionRequest.newBuilder().setVersion("v1").build());
        assertEquals("wire-test", version.getRuntimeName());
        assertEquals("v1", version.getRuntimeVersion());
        assertEquals("v1", version.getRuntimeApiVersion());
    }

    @Test
    public void anRpcTheServerLacksIsUnimplemented() {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> RuntimeServiceGrpc.newBlockingStub(channel).checkpointContainer(
                        CheckpointContainerRequest.newBuilder().setContainerId("c").build()));
        assertEquals(Status.Code.UNIMPLEMENTED, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription(), e.getStatus().getDescription().contains("CheckpointContainer"));
    }

    @Test
    public void unknownFieldsOfANewerKubeletSurviveARoundTrip() throws Exception {
        // A kubelet newer than v0.36.3 may send fields this definition lacks: proto3 keeps them.
        byte[] withField99 = concat(PodSandboxMetadata.newBuilder().setName("web").setAttempt(2).build().toByteArray(),
                new byte[] {(byte) 0x98, 0x06, 0x07}); // field 99, varint 7
        PodSandboxMetadata parsed = PodSandboxMetadata.parseFrom(withField99);
        assertEquals("web", parsed.getName());
        assertEquals(2, parsed.getAttempt());
        assertTrue(parsed.getUnknownFields().hasField(99));
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] all = new byte[a.length + b.length];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
