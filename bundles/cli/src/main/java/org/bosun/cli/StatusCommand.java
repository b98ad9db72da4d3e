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

    @Option(names = "--wait", arity = "0..1", preprocessor = AttachedValueOnly.class, paramLabel = "true|false|DURATION",
            description = "wait for the pod to exit; --wait=DURATION waits at most that long (0 or false: not at all,"
                    + " a negative duration or true: for ever, as rkt)")
    String wait;

    @Option(names = "--wait-ready", arity = "0..1", preprocessor = AttachedValueOnly.class,
            paramLabel = "true|false|DURATION",
            description = "wait for the pod to be running and every app in it started (or exited);"
                    + " --wait-ready=DURATION waits at most that long (0 or false: not at all, a negative duration or true:"
                    + " for ever)")
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
        String pod = NamedPods.one(session, uuid, uuidFile);
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
        if (info.damage() != null) {
            session.out.println("damage=" + info.damage());
        }
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

    /**
     * As rkt's (pflag's) optional values: {@code --wait} alone means true; a value must be attached
     * ({@code --wait=10s}), so the word after a bare {@code --wait} stays the pod's UUID.
     */
    static final class AttachedValueOnly implements picocli.CommandLine.IParameterPreprocessor {
        @Override
        public boolean preprocess(java.util.Stack<String> args, picocli.CommandLine.Model.CommandSpec command,
                picocli.CommandLine.Model.ArgSpec arg, java.util.Map<String, Object> info) {
            if (" ".equals(info.get("separator"))) {
                args.push("true");
            }
            return false;
        }
    }

    /** How long {@code --wait=VALUE} waits, as rkt: null not at all, {@link Duration#ZERO} for ever, else at most that. */
    static Duration waitLimit(String value, String flag) {
        String v = value.trim();
        if (v.equals("true")) {
            return Duration.ZERO;
        }
        if (v.equals("false")) {
            return null;
        }
        if (v.startsWith("-")) {
            Durations.parse(v.substring(1), flag);
            return Duration.ZERO;
        }
        Duration max = Durations.parse(v, flag);
        return max.isZero() ? null : max;
    }

    private PodInfo waitFor(PodInfo start, String limit, String flag, java.util.function.Predicate<PodInfo> done,
            java.util.function.Function<PodInfo, String> where) throws InterruptedException {
        Duration max = waitLimit(limit, flag);
        if (max == null) {
            return start;
        }
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
