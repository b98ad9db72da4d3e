package org.bosun.cli;

import java.util.concurrent.Callable;

import org.bosun.api.BosunException;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code bosun agent} is started by the launcher itself (it must keep the platform running); this
 * entry gives it a place in {@code bosun help} and refuses it when it reaches a running platform.
 */
@Command(name = "agent", description = "Keep the platform running and serve bosun commands on a root-only unix socket."
        + " The bosun command uses the agent when its socket answers and starts the platform itself when it does"
        + " not: the agent only makes commands faster. Pods started through it are not its children, so stopping"
        + " or upgrading it leaves them running.")
final class AgentCommand implements Callable<Integer> {
    @Mixin
    HelpOption help;

    @Option(names = "--socket", paramLabel = "PATH",
            description = "the socket to listen on (default $BOSUN_AGENT_SOCKET, else /run/bosun/agent.sock)")
    String socket;

    @Option(names = "--feature", paramLabel = "NAME", description = "load a feature the agent leaves out by default:"
            + " 'api', rkt's read-only gRPC API (as bosun api-service) on api-service.sock beside the agent's socket"
            + " and 127.0.0.1:15441")
    java.util.List<String> features;

    private final Session session;

    AgentCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() {
        throw BosunException.precondition("an agent is already serving this command; 'bosun agent' starts a new one"
                + " only from a shell (BOSUN_AGENT=off bosun agent)");
    }
}
