package org.bosun.launcher;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.Map;

import org.junit.Test;

public class AgentMainTest {
    @Test
    public void theAgentsConfigurationDirectoriesReachItsServices() {
        assertEquals(Map.of("bosun.agent.localConfig", "/tmp/l", "bosun.agent.systemConfig", "/tmp/s"),
                AgentMain.configDirs(new String[] {"--local-config=/tmp/l", "--system-config", "/tmp/s", "agent",
                    "--socket=/tmp/a.sock"}));
    }

    @Test
    public void onlyTheDirectoriesGivenAreSet() {
        assertEquals(Map.of(), AgentMain.configDirs(new String[] {"--dir=/tmp/d", "agent"}));
        assertEquals(Map.of("bosun.agent.localConfig", "/tmp/l"),
                AgentMain.configDirs(new String[] {"agent", "--local-config", "/tmp/l"}));
    }

    @Test
    public void bootAfterWaitsForTheCommandThenNoLongerThanItsLimit() throws Exception {
        Process command = new ProcessBuilder("sleep", "0.6").start();
        long t0 = System.nanoTime();
        AgentMain.waitForExit(command.pid(), 10_000);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue("returned when the command ended: " + ms + " ms", !command.isAlive() && ms >= 400 && ms < 5_000);

        Process lingering = new ProcessBuilder("sleep", "30").start();
        try {
            t0 = System.nanoTime();
            AgentMain.waitForExit(lingering.pid(), 300);
            ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue("gave up at its limit: " + ms + " ms", lingering.isAlive() && ms >= 300 && ms < 3_000);
        } finally {
            lingering.destroyForcibly().waitFor();
        }
        t0 = System.nanoTime();
        AgentMain.waitForExit(Long.MAX_VALUE / 2, 10_000);
        assertTrue("no such process: no wait", (System.nanoTime() - t0) / 1_000_000 < 1_000);
    }
}
