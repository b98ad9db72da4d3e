package org.bosun.cli;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import org.bosun.api.BosunException;
import org.bosun.api.app.AppIo;
import org.bosun.api.app.AppStatus;
import org.bosun.api.pod.AppRequest;
import org.bosun.api.pod.PodLaunch;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code bosun app}: pods whose apps come and go while they run (rkt's {@code rkt app}), as a kubelet
 * drives them. The state of every app is in its pod's directory; these commands only ask the app
 * service and print what it says.
 */
@Command(name = "app", description = "Sandboxes: pods whose apps are added, started, stopped and removed one by one while they run.",
        subcommands = {AppCommand.Sandbox.class, AppCommand.Add.class, AppCommand.Start.class, AppCommand.Stop.class,
                AppCommand.Rm.class, AppCommand.ListApps.class, AppCommand.Status.class},
        footer = {"", "Exit codes: 2 no such pod or app, 3 an app of that name exists, 4 invalid argument, 5 the pod or"
                + " app is in the wrong state (not a running sandbox, an app already started or not running),"
                + " 8 the pod's engine has no app operations."})
final class AppCommand implements Callable<Integer> {
    @Mixin
    HelpOption help;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private final Session session;

    AppCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(session.out);
        return 0;
    }

    @Command(name = "sandbox", description = "Prepare and start a pod with no apps; print its UUID. It keeps running when"
            + " its apps exit, until 'bosun stop'. Takes the pod flags of run; no image.")
    static final class Sandbox implements Callable<Integer> {
        @Mixin
        HelpOption help;

        @Mixin
        PrepareFlags pod;

        @Option(names = "--detach", arity = "0..1", defaultValue = "true", fallbackValue = "true",
                description = "return once the pod runs, leaving it running in a session of its own (default);"
                        + " --detach=false: bosun stays the pod's process, as with run")
        boolean detach;

        private final Session session;

        Sandbox(Session session) {
            this.session = session;
        }

        @Override
        public Integer call() {
            if (!pod.images.isEmpty()) {
                throw BosunException.invalid("a sandbox starts with no apps; add '" + pod.images.get(0)
                        + "' with bosun app add UUID IMAGE once it runs");
            }
            PodLaunch launch = session.apps(apps -> apps.sandbox(session.paths(), pod.request(session, List.of()),
                    prepared -> pod.saveUuid(session, prepared.uuid())));
            if (detach) {
                session.pods().startDetached(launch);
                session.out.println(launch.uuid());
                return 0;
            }
            session.plan = Launches.plan(session, launch);
            return 0;
        }
    }

    @Command(name = "add", description = "Add an app to a running sandbox, prepared as run prepares its apps; it does"
            + " not start. UUID IMAGE, then the app flags of run (--name, --exec, --user, --mount, ...), the I/O"
            + " modes --stdin=null|stream|tty (default null), --stdout and --stderr=null|log|stream|tty (default log;"
            + " stream: attachable with bosun attach, and kept in the log too; tty: a terminal, attachable with"
            + " bosun attach, its output kept in the log; all three streams tty or none; oci engine only),"
            + " and '--' ARGS.")
    static final class Add implements Callable<Integer> {
        @Mixin
        HelpOption help;

        @Parameters(paramLabel = "UUID IMAGE [APP FLAGS] [-- ARGS]",
                description = "the sandbox, the image and the app's own flags, as after an image of run")
        List<String> words = new ArrayList<>();

        @Option(names = "--format", paramLabel = "FORMAT", converter = OutputFormat.Converter.class,
                description = "tabular (default: the app's name), json or json-pretty")
        OutputFormat format = OutputFormat.TABULAR;

        private final Session session;

        Add(Session session) {
            this.session = session;
        }

        @Override
        public Integer call() {
            if (words.size() < 2) {
                throw BosunException.invalid("give the sandbox's UUID and an image: bosun app add UUID IMAGE [APP FLAGS]");
            }
            if (words.contains("---")) {
                throw BosunException.invalid("bosun app add adds one app; run it once per image");
            }
            List<String> appWords = new ArrayList<>();
            AppIo io = ioModes(words.subList(1, words.size()), appWords);
            List<AppRequest> apps = AppArgumentGroups.parse(appWords, session);
            AppStatus added = session.apps(s -> s.add(session.paths(), words.get(0), apps.get(0), io,
                    session.global.insecure(), TerminalProgress.of(session)));
            print(session, format, added);
            return 0;
        }
    }

    /**
     * The I/O modes among an added app's words ({@code --stdin=MODE}, {@code --stdout MODE}, ... before
     * a {@code --}); the other words go to {@code rest}.
     */
    static AppIo ioModes(List<String> words, List<String> rest) {
        AppIo.Mode[] modes = {AppIo.DEFAULT.stdin(), AppIo.DEFAULT.stdout(), AppIo.DEFAULT.stderr()};
        boolean args = false;
        for (int i = 0; i < words.size(); i++) {
            String w = words.get(i);
            AppIo.Stream stream = null;
            for (AppIo.Stream s : AppIo.Stream.values()) {
                if (!args && (w.equals("--" + s.label()) || w.startsWith("--" + s.label() + "="))) {
                    stream = s;
                }
            }
            args = args || w.equals("--");
            if (stream == null) {
                rest.add(w);
                continue;
            }
            String flag = "--" + stream.label();
            String value;
            if (w.equals(flag)) {
                if (i + 1 >= words.size()) {
                    throw BosunException.invalid(flag + " needs a mode: null, log, stream or tty");
                }
                value = words.get(++i);
            } else {
                value = w.substring(flag.length() + 1);
            }
            modes[stream.ordinal()] = AppIo.Mode.of(value, flag);
        }
        return new AppIo(modes[0], modes[1], modes[2]);
    }

    /** The flags that name one app of one pod. */
    static final class AppName {
        @Parameters(index = "0", paramLabel = "UUID", description = "the pod (a unique UUID prefix is enough)")
        String uuid;

        @Option(names = "--app", required = true, paramLabel = "NAME", description = "the app")
        String app;
    }

    @Command(name = "start", description = "Start an added app; return once it runs.")
    static final class Start implements Callable<Integer> {
        @Mixin
        HelpOption help;

        @Mixin
        AppName target;

        @Option(names = "--format", paramLabel = "FORMAT", converter = OutputFormat.Converter.class,
                description = "tabular (default: nothing), json or json-pretty")
        OutputFormat format = OutputFormat.TABULAR;

        private final Session session;

        Start(Session session) {
            this.session = session;
        }

        @Override
        public Integer call() {
            AppStatus status = session.apps(s -> s.start(session.paths(), target.uuid, target.app));
            if (format != OutputFormat.TABULAR) {
                print(session, format, status);
            }
            return 0;
        }
    }

    @Command(name = "stop", description = "Stop a running app (SIGTERM, SIGKILL after --timeout); return once it has"
            + " exited. The pod keeps running.")
    static final class Stop implements Callable<Integer> {
        @Mixin
        HelpOption help;

        @Mixin
        AppName target;

        @Option(names = "--force", description = "SIGKILL at once")
        boolean force;

        @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "10s",
                description = "how long the app gets after SIGTERM before SIGKILL (default 10s; a bare number is seconds)")
        String timeout;

        @Option(names = "--format", paramLabel = "FORMAT", converter = OutputFormat.Converter.class,
                description = "tabular (default: nothing), json or json-pretty")
        OutputFormat format = OutputFormat.TABULAR;

        private final Session session;

        Stop(Session session) {
            this.session = session;
        }

        @Override
        public Integer call() {
            Duration limit = duration(timeout);
            AppStatus status = session.apps(s -> s.stop(session.paths(), target.uuid, target.app, limit, force));
            if (format != OutputFormat.TABULAR) {
                print(session, format, status);
            }
            return 0;
        }
    }

    @Command(name = "rm", description = "Remove an app, stopping it first if it runs; also in an exited sandbox.")
    static final class Rm implements Callable<Integer> {
        @Mixin
        HelpOption help;

        @Mixin
        AppName target;

        @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "10s",
                description = "how long a running app gets after SIGTERM before SIGKILL (default 10s)")
        String timeout;

        private final Session session;

        Rm(Session session) {
            this.session = session;
        }

        @Override
        public Integer call() {
            Duration limit = duration(timeout);
            session.apps(s -> {
                s.remove(session.paths(), target.uuid, target.app, limit);
                return null;
            });
            return 0;
        }
    }

    @Command(name = "list", description = "List the apps of a pod.")
    static final class ListApps implements Callable<Integer> {
        @Mixin
        HelpOption help;

        @Parameters(index = "0", paramLabel = "UUID", description = "the pod (a unique UUID prefix is enough)")
        String uuid;

        @Option(names = "--format", paramLabel = "FORMAT", converter = OutputFormat.Converter.class,
                description = "tabular (default), json or json-pretty")
        OutputFormat format = OutputFormat.TABULAR;

        private final Session session;

        ListApps(Session session) {
            this.session = session;
        }

        @Override
        public Integer call() {
            List<AppStatus> apps = session.apps(s -> s.list(session.paths(), uuid));
            if (format != OutputFormat.TABULAR) {
                session.out.println(PodJson.write(apps.stream().map(AppCommand::json).toList(), format.jsonName()));
                return 0;
            }
            session.out.println("NAME\tSTATE\tPID\tEXIT\tIMAGE");
            for (AppStatus a : apps) {
                session.out.println(a.name() + "\t" + a.state().label() + "\t" + (a.pid() == null ? "" : a.pid()) + "\t"
                        + (a.exitCode() == null ? "" : a.exitCode()) + "\t" + a.imageName());
            }
            return 0;
        }
    }

    @Command(name = "status", description = "Show the status of one app of a pod.")
    static final class Status implements Callable<Integer> {
        @Mixin
        HelpOption help;

        @Mixin
        AppName target;

        @Option(names = "--format", paramLabel = "FORMAT", converter = OutputFormat.Converter.class,
                description = "tabular (default), json or json-pretty")
        OutputFormat format = OutputFormat.TABULAR;

        private final Session session;

        Status(Session session) {
            this.session = session;
        }

        @Override
        public Integer call() {
            AppStatus status = session.apps(s -> s.status(session.paths(), target.uuid, target.app));
            if (format != OutputFormat.TABULAR) {
                print(session, format, status);
                return 0;
            }
            json(status).forEach((k, v) -> session.out.println(k + "=" + (v == null ? "" : v)));
            return 0;
        }
    }

    private static Duration duration(String text) {
        return text.matches("\\d+") ? Duration.ofSeconds(Long.parseLong(text)) : Durations.parse(text, "--timeout");
    }

    private static void print(Session session, OutputFormat format, AppStatus status) {
        if (format == OutputFormat.TABULAR) {
            session.out.println(status.name());
        } else {
            session.out.println(PodJson.write(json(status), format.jsonName()));
        }
    }

    /** An app's status as JSON fields (times as epoch seconds, as bosun status gives them). */
    static Map<String, Object> json(AppStatus a) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", a.name());
        m.put("state", a.state().label());
        m.put("image_name", a.imageName());
        m.put("image_id", a.imageId());
        m.put("created_at", a.created() == null ? null : a.created().getEpochSecond());
        m.put("started_at", a.started() == null ? null : a.started().getEpochSecond());
        m.put("finished_at", a.finished() == null ? null : a.finished().getEpochSecond());
        m.put("exit_code", a.exitCode());
        m.put("pid", a.pid());
        m.put("stdin", a.io().stdin().label());
        m.put("stdout", a.io().stdout().label());
        m.put("stderr", a.io().stderr().label());
        if (!a.userAnnotations().isEmpty()) {
            m.put("user_annotations", a.userAnnotations());
        }
        return m;
    }
}
