package org.bosun.cri.streaming;

import java.util.List;

/**
 * A command to run in an app of a running pod, with the streams the client will open.
 *
 * @param pod the pod's UUID
 * @param app the app's name
 * @param command the command and its arguments (not empty)
 * @param streams which standard streams the client uses, and whether they are a terminal
 */
public record ExecSession(String pod, String app, List<String> command, Streams streams) {
    public ExecSession {
        command = List.copyOf(command);
        if (command.isEmpty()) {
            throw new IllegalArgumentException("an exec session needs a command");
        }
    }
}
