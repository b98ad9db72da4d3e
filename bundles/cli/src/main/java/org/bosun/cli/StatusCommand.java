package org.bosun.cli;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;

import org.bosun.api.BosunException;
import org.bosun.api.ErrorKind;
import org.bosun.api.pod.AppInfo;
import org.bosun.api.pod.PodInfo;
import org.bosun.api.pod.PodState;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "status", description = "Show the status of a pod.")
final class StatusCommand implements Callable<Integer> {
    @picocli.CommandLine.Mixin
    HelpOption help;

    @Parameters(arity = "0..1", paramLabel = "UUID", description = "the pod (a unique UUID prefix is enough)")
    List<String> uuid;

    @Option(names = "--uuid-file", paramLabel = "FILE", description = "read the pod's UUID from FILE")
    String uuidFile;

    @Option(names = "--wait", arity = "0..1", fallbackValue = "0", paramLabel = "DURATION",
            description = "wait for the pod to exit; with a duration, at most that long")
    String wait;

    @Option(names = "--wait-ready", arity = "0..1", fallbackValue = "0", paramLabel = "DURATION",
            description = "wait for the pod to be running; with a duration, at most that long")
    String waitReady;

    @Option(names = "--format", paramLabel = "FORMAT", converter = OutputFormat.Converter.class,
            description = "tabular (default), json or json-pretty")
    OutputFormat format = OutputFormat.TABULAR;

    private final Session session;

    StatusCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() throws InterruptedException {
        String pod = PodArguments.one(session, uuid, uuidFile);
        PodInfo info = session.pods().status(session.paths(), pod);
        if (waitReady != null) {
            info = waitFor(info, waitReady, "--wait-ready", p -> p.state() == PodState.RUNNING || p.state().isFinished());
        }
        if (wait != null) {
            info = waitFor(info, wait, "--wait", p -> p.state().isFinished());
        }
        if (format != OutputFormat.TABULAR) {
            session.out.println(PodJson.write(PodJson.pod(info), format.jsonName()));
            return 0;
        }
        session.out.println("state=" + info.state().label());
        session.out.println("created=" + (info.created() == null ? "" : info.created()));
        session.out.println("started=" + (info.started() == null ? "" : info.started()));
        session.out.println("networks=" + PodJson.networks(info));
        if (info.pid() > 0) {
            session.out.println("pid=" + info.pid());
        }
        session.out.println("exited=" + info.state().isFinished());
        if (info.stage1() != null) {
            session.out.println("stage1=" + info.stage1().name() + " " + info.stage1().bundleVersion());
        }
        // What the pod runs without: switched off with --insecure-options, not enforced by its engine, or not installed.
        session.out.println("protections-off=" + String.join(",", new java.util.TreeSet<>(info.protectionsOff())));
        for (AppInfo app : info.apps()) {
            if (app.exitCode() != null) {
                session.out.println("app-" + app.name() + "=" + app.exitCode());
            }
        }
        return 0;
    }

    private PodInfo waitFor(PodInfo start, String limit, String flag, java.util.function.Predicate<PodInfo> done)
            throws InterruptedException {
        Duration max = Durations.parse(limit, flag);
        Instant deadline = max.isZero() ? Instant.MAX : Instant.now().plus(max);
        PodInfo info = start;
        while (!done.test(info)) {
            if (Instant.now().isAfter(deadline)) {
                throw new BosunException(ErrorKind.FAILED_PRECONDITION, "pod " + info.uuid() + " is still "
                        + info.state().label() + " after " + limit);
            }
            Thread.sleep(50);
            info = session.pods().status(session.paths(), info.uuid());
        }
        return info;
    }
}
