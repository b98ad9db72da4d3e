package org.bosun.itest.e2e;

/** How the {@code bosun} command reaches the platform: the two ways a user runs it. */
public enum Mode {
    /** {@code BOSUN_AGENT=off}: the launcher boots Felix in its own JVM for every command. */
    IN_PROCESS("in-process"),
    /** {@code BOSUN_AGENT_SOCKET=...}: the launcher hands the command to a running {@code bosun agent}. */
    AGENT("agent");

    private final String label;

    Mode(String label) {
        this.label = label;
    }

    @Override
    public String toString() {
        return label;
    }
}
