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
            description = "wait for the pod to be running and every app in it started (or exited); with a duration,"
                    + " at most that long")
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
            info = waitFor(info, waitReady, "--wait-ready", StatusCommand::isReady, StatusCommand::notReady);
        }
        if (wait != null) {
            info = waitFor(info, wait, "--wait", p -> p.state().isFinished(), p -> "still " + p.state().label());
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
        session.out.println("protections-off=" + String.join(",", PodJson.protectionsOff(info)));
        for (AppInfo app : info.apps()) {
            session.out.println("app-" + app.name() + "=" + appState(app));
        }
        return 0;
    }

    /** rkt's {@code app-NAME=CODE} once an app has exited with a recorded code; its state otherwise. */
    static String appState(AppInfo app) {
        return app.exitCode() != null ? app.exitCode().toString() : app.state().label();
    }

    /** Ready: running with every app started or already exited; or never going to be (finished). */
    static boolean isReady(PodInfo pod) {
        if (pod.state().isFinished()) {
            return true;
        }
        return pod.state() == PodState.RUNNING && pod.apps().stream().allMatch(a -> a.state().isReady());
    }

    private static String notReady(PodInfo pod) {
        if (pod.state() != PodState.RUNNING) {
            return "still " + pod.state().label();
        }
        List<String> waiting = pod.apps().stream().filter(a -> !a.state().isReady())
                .map(a -> a.name() + " " + a.state().label()).toList();
        return "running, but not ready (app " + String.join(", app ", waiting) + ")";
    }

    private PodInfo waitFor(PodInfo start, String limit, String flag, java.util.function.Predicate<PodInfo> done,
            java.util.function.Function<PodInfo, String> where) throws InterruptedException {
        Duration max = Durations.parse(limit, flag);
        Instant deadline = max.isZero() ? Instant.MAX : Instant.now().plus(max);
        PodInfo info = start;
        while (!done.test(info)) {
            if (Instant.now().isAfter(deadline)) {
                throw new BosunException(ErrorKind.FAILED_PRECONDITION, "pod " + info.uuid() + " is "
                        + where.apply(info) + " after " + limit);
            }
            Thread.sleep(50);
            info = session.pods().status(session.paths(), info.uuid());
        }
        return info;
    }
}
