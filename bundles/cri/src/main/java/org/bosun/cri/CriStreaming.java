package org.bosun.cri;

import org.bosun.api.BosunException;
import org.bosun.api.RuntimePaths;
import org.bosun.cri.streaming.AttachSession;
import org.bosun.cri.streaming.ExecSession;
import org.bosun.cri.streaming.PortForwardSession;
import org.bosun.cri.streaming.StreamingService;
import org.bosun.cri.streaming.Streams;
import org.bosun.cri.v1.AttachRequest;
import org.bosun.cri.v1.AttachResponse;
import org.bosun.cri.v1.ExecRequest;
import org.bosun.cri.v1.ExecResponse;
import org.bosun.cri.v1.PortForwardRequest;
import org.bosun.cri.v1.PortForwardResponse;

/**
 * Exec, Attach and PortForward: each checks the request, registers a session with the streaming
 * server (bundles/cri-streaming) and answers its one-time URL, which the kubelet hands to its
 * client. A container id is the sandbox's pod UUID, '-', and the app's name; a sandbox id is the
 * pod's UUID.
 */
final class CriStreaming {
    private final StreamingService server;
    private final RuntimePaths paths;

    /** {@code server} is null when the streaming bundle is not installed. */
    CriStreaming(StreamingService server, RuntimePaths paths) {
        this.server = server;
        this.paths = paths;
    }

    ExecResponse exec(ExecRequest request) {
        String[] container = container(request.getContainerId());
        if (request.getCmdCount() == 0 || request.getCmd(0).isEmpty()) {
            throw BosunException.invalid("exec in container " + request.getContainerId() + " names no command (cmd is empty)");
        }
        Streams streams = streams(request.getStdin(), request.getStdout(), request.getStderr(), request.getTty());
        return ExecResponse.newBuilder().setUrl(server().exec(paths,
                new ExecSession(container[0], container[1], request.getCmdList(), streams)).toString()).build();
    }

    AttachResponse attach(AttachRequest request) {
        String[] container = container(request.getContainerId());
        Streams streams = streams(request.getStdin(), request.getStdout(), request.getStderr(), request.getTty());
        return AttachResponse.newBuilder().setUrl(server().attach(paths,
                new AttachSession(container[0], container[1], streams)).toString()).build();
    }

    PortForwardResponse portForward(PortForwardRequest request) {
        String pod = request.getPodSandboxId();
        if (pod.isEmpty()) {
            throw BosunException.invalid("the request names no sandbox (pod_sandbox_id is empty)");
        }
        for (int port : request.getPortList()) {
            if (port < 1 || port > 65535) {
                throw BosunException.invalid("port " + port + " of the port-forward to sandbox " + pod
                        + " is not between 1 and 65535");
            }
        }
        return PortForwardResponse.newBuilder().setUrl(server().portForward(paths,
                new PortForwardSession(pod, request.getPortList())).toString()).build();
    }

    private StreamingService server() {
        if (server == null) {
            throw BosunException.unavailable("the CRI streaming server (bundle org.bosun.cri.streaming) is not running;"
                    + " install or start it in the agent");
        }
        return server;
    }

    private static Streams streams(boolean stdin, boolean stdout, boolean stderr, boolean tty) {
        if (!stdin && !stdout && !stderr) {
            throw BosunException.invalid("a streaming request needs at least one of stdin, stdout and stderr");
        }
        return new Streams(stdin, stdout, stderr, tty);
    }

    /**
     * The pod UUID and the app name of a container id (one parser: {@link CriContainers.Id}). Whether
     * the pod runs and has that app the streaming server checks when it registers the session, so an
     * app added with {@code bosun app add} can be exec'd into too.
     */
    private static String[] container(String id) {
        CriContainers.Id c = CriContainers.Id.parse(id);
        return new String[] {c.uuid(), c.app()};
    }
}
