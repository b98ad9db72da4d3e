package org.bosun.cli;

import java.util.concurrent.Callable;

import org.bosun.api.BosunException;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code bosun api-service} is started by the launcher itself (it keeps a platform with the
 * service running, as {@code bosun agent} does); this entry gives it a place in {@code bosun help}
 * and refuses it when it reaches a running platform.
 */
@Command(name = "api-service", description = "Serve rkt's read-only gRPC API (v1alpha PublicAPI of rkt v1.30.0):"
        + " pods, images, events and app logs of the data directory, on 127.0.0.1:15441 and a unix socket."
        + " Needs only read access to the data directory; root may drop to --user. 'bosun agent --feature=api'"
        + " serves it too.")
final class ApiServiceCommand implements Callable<Integer> {
    @Mixin
    HelpOption help;

    @Option(names = "--listen-port", paramLabel = "PORT", description = "the loopback TCP port (default 15441, rkt's;"
            + " 0 for none)")
    int port;

    @Option(names = "--socket", paramLabel = "PATH", description = "the unix socket (default api-service.sock beside"
            + " the agent's socket; '-' for none)")
    String socket;

    @Option(names = "--user", paramLabel = "USER", description = "when started by root, serve as USER")
    String user;

    ApiServiceCommand(Session session) {
    }

    @Override
    public Integer call() {
        throw BosunException.precondition("'bosun api-service' starts a platform of its own; run it from a shell"
                + " (BOSUN_AGENT=off bosun api-service), or start the agent with --feature=api");
    }
}
