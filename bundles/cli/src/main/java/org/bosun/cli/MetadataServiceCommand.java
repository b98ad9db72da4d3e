package org.bosun.cli;

import java.util.concurrent.Callable;

import org.bosun.api.BosunException;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code bosun metadata-service} is started by the launcher itself (it keeps a platform with the
 * service running, as {@code bosun agent} does); this entry gives it a place in {@code bosun help}
 * and refuses it when it reaches a running platform.
 */
@Command(name = "metadata-service", description = "Serve the appc metadata service alone (the agent serves it too):"
        + " each pod's manifest, uuid and annotations, its apps' image manifests, ids and annotations, and its identity"
        + " (hmac sign and verify), at the AC_METADATA_URL of its apps: http://GATEWAY:PORT/TOKEN, on the host's side"
        + " of the pod's network. A pod reads only its own data. Pods with --net=none or --net=host get no URL.")
final class MetadataServiceCommand implements Callable<Integer> {
    @Mixin
    HelpOption help;

    @Option(names = "--listen-port", paramLabel = "PORT", description = "the TCP port to listen on (default 18112, rkt's)")
    int port;

    MetadataServiceCommand(Session session) {
    }

    @Override
    public Integer call() {
        throw BosunException.precondition("'bosun metadata-service' starts a platform of its own; run it from a shell"
                + " (BOSUN_AGENT=off bosun metadata-service), or use the agent's");
    }
}
