package org.bosun.itest.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.bosun.cri.v1.ListPodSandboxRequest;
import org.bosun.cri.v1.PodSandboxConfig;
import org.bosun.cri.v1.PodSandboxMetadata;
import org.bosun.cri.v1.PodSandboxStatusRequest;
import org.bosun.cri.v1.RemovePodSandboxRequest;
import org.bosun.cri.v1.RunPodSandboxRequest;
import org.bosun.cri.v1.RuntimeServiceGrpc;
import org.bosun.cri.v1.StopPodSandboxRequest;
import org.bosun.cri.v1.VersionRequest;
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
 * The CRI server's default network by Kubernetes' convention: a sandbox joins the network of the
 * first file of the CNI configuration directory (the setting {@code cniConfigDirectory}, here a
 * directory of the test's own given to an agent of the test's own), or bosun's {@code default} when
 * there is none; a broken first file fails RunPodSandbox with one line naming it, and leaves no sandbox.
 */
public class CriNetworkIT {
    @ClassRule
    public static final BosunFixture FIXTURE = new BosunFixture();

    /** The crafted network's bridge and subnet, which no other test uses. */
    static final String BRIDGE = "bosun-crnet0";
    static final String SUBNET_PREFIX = "10.241.7.";

    private Path work;
    private Path sockets;
    private Path netd;
    private Process agent;
    private ManagedChannel channel;
    private RuntimeServiceGrpc.RuntimeServiceBlockingStub runtime;

    @Before
    public void startAgent() throws Exception {
        work = Files.createTempDirectory(FIXTURE.agentData().getParent(), "cri-net");
        sockets = Files.createTempDirectory("bosun-crn");
        netd = Files.createDirectories(work.resolve("net.d"));
        Path config = Files.createDirectories(work.resolve("etc/configurations.d"));
        Files.setPosixFilePermissions(config, PosixFilePermissions.fromString("rwx------"));
        Path file = config.resolve("cri.json");
        Files.writeString(file, "{\"org.bosun.cri.CriSocket\": {\"cniConfigDirectory\": \"" + netd + "\"},\n"
                + " \"org.bosun.metadata.MetadataService\": {\"enabled\": false}}\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        ProcessBuilder pb = new ProcessBuilder(FIXTURE.bin.toString(), "--dir=" + work.resolve("data"),
                "--local-config=" + work.resolve("etc"), "agent", "--socket=" + sockets.resolve("agent.sock"))
                .directory(work.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(work.resolve("agent.out").toFile())
                .redirectError(work.resolve("agent.err").toFile());
        pb.environment().remove("BOSUN_AGENT");
        pb.environment().remove("BOSUN_AGENT_SOCKET");
        pb.environment().put("BOSUN_CACHE_DIR", work.resolve("cache").toString());
        agent = pb.start();
        channel = Grpc.newChannelBuilder("unix://" + sockets.resolve("cri.sock"), InsecureChannelCredentials.create())
                .build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (true) {
            if (!agent.isAlive()) {
                fail("the agent exited with " + agent.exitValue() + ": " + Files.readString(work.resolve("agent.err")));
            }
            try {
                RuntimeServiceGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
                        .version(VersionRequest.getDefaultInstance());
                break;
            } catch (StatusRuntimeException e) {
                if (System.nanoTime() > deadline) {
                    fail("the CRI server did not answer within 120 s: " + e + "; agent: "
                            + Files.readString(work.resolve("agent.err")));
                }
                Thread.sleep(200);
            }
        }
        runtime = RuntimeServiceGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
    }

    @After
    public void stopAgent() throws Exception {
        List<String> problems = new ArrayList<>();
        try {
            if (runtime != null) {
                for (var s : runtime.listPodSandbox(ListPodSandboxRequest.getDefaultInstance()).getItemsList()) {
                    problems.add("sandbox left: " + s.getId());
                    remove(s.getId());
                }
            }
        } finally {
            if (channel != null) {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
            if (agent != null) {
                List<ProcessHandle> children = agent.descendants().toList();
                agent.destroy();
                if (!agent.waitFor(20, TimeUnit.SECONDS)) {
                    agent.destroyForcibly();
                    agent.waitFor(10, TimeUnit.SECONDS);
                }
                children.forEach(ProcessHandle::destroyForcibly);
            }
            new ProcessBuilder("ip", "link", "del", BRIDGE).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
            E2e.deleteTree(sockets);
            E2e.deleteTree(work);
        }
        assertEquals(List.of(), problems);
    }

    private void remove(String id) {
        runtime.stopPodSandbox(StopPodSandboxRequest.newBuilder().setPodSandboxId(id).build());
        runtime.removePodSandbox(RemovePodSandboxRequest.newBuilder().setPodSandboxId(id).build());
    }

    private static PodSandboxConfig config(String name) {
        return PodSandboxConfig.newBuilder()
                .setMetadata(PodSandboxMetadata.newBuilder().setName(name).setNamespace("team").setUid("uid-" + name))
                .setHostname(name).build();
    }

    private String conflist(String name, String bridge, String subnetPrefix) {
        return "{\"cniVersion\": \"1.0.0\", \"name\": \"" + name + "\", \"plugins\": [{\"type\": \"bridge\", \"bridge\": \""
                + bridge + "\", \"isGateway\": true, \"ipMasq\": false, \"ipam\": {\"type\": \"host-local\", \"dataDir\": \""
                + work.resolve("ipam") + "\", \"ranges\": [[{\"subnet\": \"" + subnetPrefix + "0/24\"}]]}},"
                + " {\"type\": \"portmap\", \"capabilities\": {\"portMappings\": true}}]}\n";
    }

    @Test
    public void aSandboxJoinsTheFirstConflistOfTheDirectoryElseBosunsDefault() throws Exception {
        // none yet: bosun's default network
        String first = runtime.runPodSandbox(RunPodSandboxRequest.newBuilder().setConfig(config("net-default"))
                .setRuntimeHandler("runc").build()).getPodSandboxId();
        var status = runtime.podSandboxStatus(PodSandboxStatusRequest.newBuilder().setPodSandboxId(first)
                .setVerbose(true).build());
        assertTrue(status.getInfoMap().toString(), status.getInfoMap().toString().contains("\"default\""));
        assertTrue(status.getStatus().getNetwork().getIp(), !status.getStatus().getNetwork().getIp().startsWith(SUBNET_PREFIX));
        remove(first);

        // two files: the first by name is the network; others in the directory are not config files
        Files.writeString(netd.resolve("20-other.conflist"), conflist("crit-other", "bosun-crnet9", "10.241.9."));
        Files.writeString(netd.resolve("10-crit.conflist"), conflist("crit-net", BRIDGE, SUBNET_PREFIX));
        Files.writeString(netd.resolve("00-notes.txt"), "not a network");
        String second = runtime.runPodSandbox(RunPodSandboxRequest.newBuilder().setConfig(config("net-conflist"))
                .setRuntimeHandler("runc").build()).getPodSandboxId();
        try {
            status = runtime.podSandboxStatus(PodSandboxStatusRequest.newBuilder().setPodSandboxId(second)
                    .setVerbose(true).build());
            assertTrue(status.toString(), status.getStatus().getNetwork().getIp().startsWith(SUBNET_PREFIX));
            assertTrue(status.getInfoMap().toString(), status.getInfoMap().toString().contains("crit-net"));
        } finally {
            remove(second);
        }
    }

    @Test
    public void aBrokenFirstConflistFailsRunPodSandboxNamingTheFileAndLeavesNoSandbox() throws Exception {
        Files.writeString(netd.resolve("10-crit.conflist"), conflist("crit-net", BRIDGE, SUBNET_PREFIX));
        Path broken = Files.writeString(netd.resolve("05-broken.conflist"), "{\"cniVersion\": \"1.0.0\", \"name\": ");
        try {
            runtime.runPodSandbox(RunPodSandboxRequest.newBuilder().setConfig(config("net-broken"))
                    .setRuntimeHandler("runc").build());
            fail("a broken first conflist was taken");
        } catch (StatusRuntimeException e) {
            String message = e.getStatus().getDescription();
            assertEquals(message, Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
            assertTrue(message, message.contains("network config " + broken + " is not valid JSON")
                    && message.contains("fix the file, or remove it from " + netd));
            assertTrue(message, !message.contains("\n"));
        }
        assertEquals(0, runtime.listPodSandbox(ListPodSandboxRequest.getDefaultInstance()).getItemsCount());
    }
}
