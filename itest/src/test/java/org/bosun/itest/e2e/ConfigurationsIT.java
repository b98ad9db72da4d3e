package org.bosun.itest.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.ClassRule;
import org.junit.Test;

/**
 * Issue 11: the {@code @Designate} configurations can be set, in the platform that ships, from the
 * operator's place for them (README, "Configuring components"): {@code configurations.d/*.json}
 * under the local configuration directory, read when a platform starts. The user namespace
 * module's first host id and the directory of its allocation record are configured, and a pod
 * prepared with {@code --private-users} gets its range from there; in agent mode the test starts
 * an agent of its own with the same folder, which also configures the agent's socket (over the
 * {@code --socket} flag), and the pod is prepared through that socket.
 */
public class ConfigurationsIT extends E2eCase {
    @ClassRule
    public static final BosunFixture FIXTURE = new BosunFixture();

    /** Far above the module's default (524288): a range from here can only come from the configuration. */
    static final long FIRST_HOST_ID = 64 * 65536;
    static final String USERNS = "org.bosun.security.userns.UserNamespaceModule";
    static final String AGENT_SOCKET = "org.bosun.agent.CommandSocket";

    public ConfigurationsIT(Mode mode) {
        super(FIXTURE, mode);
    }

    @Test
    public void aComponentGetsItsConfigurationFromConfigurationsD() throws Exception {
        Path etc = work.resolve("etc");
        Path ranges = work.resolve("ranges");
        // Not under the work dir: its long name would pass the 107 bytes a socket path may have.
        Path sockets = Files.createTempDirectory("bosun-cfg-");
        Path configured = sockets.resolve("configured/agent.sock");
        Path flagged = sockets.resolve("flag/agent.sock");
        Files.createDirectories(etc.resolve("configurations.d"));
        Files.writeString(etc.resolve("configurations.d/50-userns.json"), "{\"" + USERNS + "\": {\"firstHostId\": "
                + FIRST_HOST_ID + ", \"rangesDir\": \"" + ranges + "\"}}");
        Files.writeString(etc.resolve("configurations.d/60-agent.json"), "{\"" + AGENT_SOCKET + "\": {\"socket\": \""
                + configured + "\"}}");

        BosunProcess agent = null;
        try {
            List<String> via = List.of();
            if (mode == Mode.AGENT) {
                agent = startAgent(etc, configured, flagged);
                // bin/bosun with this agent's socket, whatever the fixture's mode would set
                via = List.of("/usr/bin/env", "BOSUN_AGENT=connect", "BOSUN_AGENT_SOCKET=" + configured);
            }
            BosunResult prepare = call(via, "--local-config", etc.toString(), "--debug", "prepare", INSECURE,
                    "--private-users", "--net=none", aci());
            assertExit(0, prepare);
            if (mode == Mode.AGENT) {
                assertContains("the configured socket served it", "handing 'prepare' to the agent at " + configured,
                        prepare);
            }
            String uuid = uuidIn(prepare);
            List<String> record = rangeLines(ranges);
            assertEquals("one range, recorded in the configured directory " + ranges + ": " + record, 1, record.size());
            String[] range = record.get(0).split(" ");
            assertEquals(uuid, range[2]);
            assertTrue("the range starts at or above the configured first host id " + FIRST_HOST_ID + ": " + range[0],
                    Long.parseLong(range[0]) >= FIRST_HOST_ID);
            assertEquals("nothing recorded in the data dir", List.of(), rangeLines(data));

            assertExit(0, call(via, "--local-config", etc.toString(), "rm", uuid));
            assertEquals("rm freed the range", List.of(), rangeLines(ranges));
        } finally {
            if (agent != null) {
                stop(agent);
            }
            E2e.deleteTree(sockets);
        }
    }

    /** {@code bosun --local-config ETC agent --socket=FLAGGED}, answering on {@code configured}. */
    private BosunProcess startAgent(Path etc, Path configured, Path flagged) throws Exception {
        BosunProcess agent = start(Mode.IN_PROCESS, List.of(fixture.bin.toString(), "--local-config", etc.toString(),
                "agent", "--socket=" + flagged));
        boolean listening = eventually(BosunFixture.AGENT_START_TIMEOUT, Duration.ofMillis(200),
                () -> Files.exists(configured) || !agent.isAlive()) && Files.exists(configured);
        boolean flagUnused = !Files.exists(flagged.getParent());
        String output = agent.snapshot();
        if (!listening || !flagUnused) {
            stop(agent);
        }
        assertTrue("the agent listens on the configured socket " + configured + " within "
                + BosunFixture.AGENT_START_TIMEOUT.toSeconds() + " s:\n" + output, listening);
        assertTrue("the configuration is there at the socket's first activation: " + flagged + " was never made",
                flagUnused);
        return agent;
    }

    /** SIGTERM, as an operator stops it (the framework stops and the socket goes); SIGKILL after 20 s. */
    private static void stop(BosunProcess agent) throws InterruptedException {
        ProcessHandle.of(agent.pid()).ifPresent(ProcessHandle::destroy);
        long deadline = System.nanoTime() + BosunFixture.AGENT_STOP_TIMEOUT.toNanos();
        while (agent.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        agent.killTree();
    }

    /**
     * {@code bosun --dir DATA args...} in-process, or through {@code via}: a wrapper that gives
     * bin/bosun the test's own agent instead of the fixture's.
     */
    private BosunResult call(List<String> via, String... args) throws Exception {
        List<String> command = new ArrayList<>(via);
        command.addAll(bosunArgs(args));
        return call(Mode.IN_PROCESS, work, null, command);
    }

    private static List<String> rangeLines(Path dir) throws IOException {
        Path file = dir.resolve("userns-ranges");
        return Files.exists(file) ? Files.readAllLines(file).stream().filter(l -> !l.isBlank()).toList() : List.of();
    }
}
