package org.bosun.cri.streaming;

/**
 * The standard streams of a session, as the CRI's ExecRequest and AttachRequest name them. With a
 * terminal, stderr is part of stdout (kubelet drops it too).
 */
public record Streams(boolean stdin, boolean stdout, boolean stderr, boolean tty) {
    public Streams {
        if (!stdin && !stdout && !stderr) {
            throw new IllegalArgumentException("a session needs at least one of stdin, stdout and stderr");
        }
        stderr = stderr && !tty;
    }
}
