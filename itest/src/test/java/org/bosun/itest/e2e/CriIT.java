package org.bosun.itest.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.bosun.cri.v1.AuthConfig;
import org.bosun.cri.v1.CgroupDriver;
import org.bosun.cri.v1.FilesystemUsage;
import org.bosun.cri.v1.Image;
import org.bosun.cri.v1.ImageFsInfoRequest;
import org.bosun.cri.v1.ImageServiceGrpc;
import org.bosun.cri.v1.ImageSpec;
import org.bosun.cri.v1.ImageStatusRequest;
import org.bosun.cri.v1.ImageStatusResponse;
import org.bosun.cri.v1.ListImagesRequest;
import org.bosun.cri.v1.PullImageRequest;
import org.bosun.cri.v1.RemoveImageRequest;
import org.bosun.cri.v1.CheckpointContainerRequest;
import org.bosun.cri.v1.RunPodSandboxRequest;
import org.bosun.cri.v1.RuntimeCondition;
import org.bosun.cri.v1.RuntimeConfigRequest;
import org.bosun.cri.v1.RuntimeServiceGrpc;
import org.bosun.cri.v1.StatusRequest;
import org.bosun.cri.v1.VersionRequest;
import org.bosun.cri.v1.VersionResponse;
import org.junit.After;
import org.junit.Before;
import org.junit.ClassRule;
import org.junit.Test;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/**
 * The agent's CRI server, as kubelet and crictl reach it: gRPC on {@code cri.sock} beside the
 * agent's socket, root only. What it serves so far (issue 15): Version, Status, RuntimeConfig and
 * the ImageService on the agent's own data directory; every other RPC answers UNIMPLEMENTED, never
 * a fake success.
 */
public class CriIT {
    @ClassRule
    public static final BosunFixture FIXTURE = new BosunFixture();

    private ManagedChannel channel;
    private RuntimeServiceGrpc.RuntimeServiceBlockingStub runtime;

    @Before
    public void connect() {
        channel = Grpc.newChannelBuilder("unix://" + criSocket(), InsecureChannelCredentials.create()).build();
        runtime = RuntimeServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    @After
    public void disconnect() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    private static Path criSocket() {
        return FIXTURE.socket.resolveSibling("cri.sock");
    }

    @Test
    public void theSocketIsBesideTheAgentsAndOnlyItsOwnerMayConnect() throws Exception {
        Path socket = criSocket();
        assertTrue(socket + " exists", Files.exists(socket));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));
    }

    @Test
    public void versionNamesBosunAndCriV1() {
        VersionResponse v = runtime.version(VersionRequest.newBuilder().setVersion("v1").build());
        assertEquals("0.1.0", v.getVersion());
        assertEquals("bosun", v.getRuntimeName());
        assertEquals("v1", v.getRuntimeApiVersion());
        assertTrue(v.getRuntimeVersion(), v.getRuntimeVersion().matches("\\d+\\.\\d+\\.\\d+.*"));
    }

    @Test
    public void statusReportsTheRuntimeAndNetworkConditions() {
        List<RuntimeCondition> conditions = runtime.status(StatusRequest.getDefaultInstance()).getStatus()
                .getConditionsList();
        assertEquals(List.of("RuntimeReady", "NetworkReady"), conditions.stream().map(RuntimeCondition::getType).toList());
        // nspawn and oci are installed and active on these machines (scripts/install), and so is CNI.
        for (RuntimeCondition c : conditions) {
            assertTrue(c.getType() + ": " + c.getReason() + " " + c.getMessage(), c.getStatus());
        }
    }

    @Test
    public void cgroupsAreWrittenByBosunItself() {
        assertEquals(CgroupDriver.CGROUPFS,
                runtime.runtimeConfig(RuntimeConfigRequest.getDefaultInstance()).getLinux().getCgroupDriver());
    }

    @Test
    public void imagesOfTheAgentsStoreAreListedFoundMeasuredAndRemoved() throws Exception {
        ImageServiceGrpc.ImageServiceBlockingStub images = ImageServiceGrpc.newBlockingStub(channel)
                .withDeadlineAfter(60, TimeUnit.SECONDS);
        BosunResult fetched = bosun("--insecure-options=image", "fetch", "--full", FIXTURE.busyboxAci.toString());
        assertEquals(fetched.describe(), 0, fetched.exitCode);
        String id = fetched.stdout.trim();

        List<Image> listed = images.listImages(ListImagesRequest.getDefaultInstance()).getImagesList();
        assertEquals(List.of(id), listed.stream().map(Image::getId).toList());
        assertTrue("size of " + listed.get(0), listed.get(0).getSize() > 0);
        ImageStatusResponse status = images.imageStatus(ImageStatusRequest.newBuilder().setImage(spec(id)).build());
        assertEquals(id, status.getImage().getId());
        assertFalse("an image not in the store is an answer without an image", images.imageStatus(
                ImageStatusRequest.newBuilder().setImage(spec("example.com/none:1")).build()).hasImage());

        FilesystemUsage fs = images.imageFsInfo(ImageFsInfoRequest.getDefaultInstance()).getImageFilesystems(0);
        assertEquals(FIXTURE.agentData().toString(), fs.getFsId().getMountpoint());
        assertTrue("bytes of the store: " + fs, fs.getUsedBytes().getValue() >= listed.get(0).getSize());
        assertTrue("inodes of the store: " + fs, fs.getInodesUsed().getValue() > 0);

        images.removeImage(RemoveImageRequest.newBuilder().setImage(spec(id)).build());
        assertEquals(List.of(), images.listImages(ListImagesRequest.getDefaultInstance()).getImagesList());
        // Removing what is not there succeeds (kubelet's image gc may race with another).
        images.removeImage(RemoveImageRequest.newBuilder().setImage(spec(id)).build());
    }

    @Test
    public void aPullThatCannotWorkFailsWithItsStatusCode() throws Exception {
        ImageServiceGrpc.ImageServiceBlockingStub images = ImageServiceGrpc.newBlockingStub(channel)
                .withDeadlineAfter(60, TimeUnit.SECONDS);
        StatusRuntimeException noImage = assertThrows(StatusRuntimeException.class,
                () -> images.pullImage(PullImageRequest.getDefaultInstance()));
        assertEquals(Status.Code.INVALID_ARGUMENT, noImage.getStatus().getCode());

        StatusRuntimeException withAuth = assertThrows(StatusRuntimeException.class, () -> images.pullImage(
                PullImageRequest.newBuilder().setImage(spec("example.com/app:1"))
                        .setAuth(AuthConfig.newBuilder().setUsername("u").setPassword("p")).build()));
        assertEquals(Status.Code.UNIMPLEMENTED, withAuth.getStatus().getCode());
        assertTrue(withAuth.getStatus().getDescription(), withAuth.getStatus().getDescription().contains("auth.d"));

        // Nothing listens on this port: the registry is unavailable, and nothing is stored.
        String image = "127.0.0.1:" + Registry.freePort() + "/test/busybox:latest";
        StatusRuntimeException down = assertThrows(StatusRuntimeException.class,
                () -> images.pullImage(PullImageRequest.newBuilder().setImage(spec(image)).build()));
        assertEquals(down.getStatus().toString(), Status.Code.UNAVAILABLE, down.getStatus().getCode());
        assertEquals(List.of(), images.listImages(ListImagesRequest.getDefaultInstance()).getImagesList());
    }

    private static ImageSpec spec(String image) {
        return ImageSpec.newBuilder().setImage(image).build();
    }

    /** {@code bosun --dir=AGENT_DATA ARGS} through the agent: the CRI server's own data directory. */
    private static BosunResult bosun(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(FIXTURE.bin.toString(), "--dir=" + FIXTURE.agentData()));
        command.addAll(List.of(args));
        BosunProcess p = FIXTURE.start(Mode.AGENT, command, FIXTURE.agentData().getParent());
        p.closeStdin();
        return p.await(Duration.ofSeconds(90));
    }

    @Test
    public void whatIsNotServedYetSaysSo() {
        for (Runnable call : List.<Runnable>of(
                () -> runtime.runPodSandbox(RunPodSandboxRequest.getDefaultInstance()),
                () -> runtime.checkpointContainer(CheckpointContainerRequest.getDefaultInstance()))) {
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call::run);
            assertEquals(Status.Code.UNIMPLEMENTED, e.getStatus().getCode());
            assertTrue(e.getStatus().getDescription(), e.getStatus().getDescription().contains("unimplemented"));
        }
    }
}
