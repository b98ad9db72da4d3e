package org.bosun.itest.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.bosun.cri.v1.CgroupDriver;
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
 * agent's socket, root only. What it serves so far (issue 15): Version, Status and RuntimeConfig;
 * every other RPC answers UNIMPLEMENTED, never a fake success.
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
