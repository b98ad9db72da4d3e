package org.bosun.launcher;

import static org.junit.Assert.assertEquals;

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
}
