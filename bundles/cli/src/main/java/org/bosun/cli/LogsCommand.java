package org.bosun.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import org.bosun.api.BosunException;
import org.bosun.api.pod.AppInfo;
import org.bosun.api.pod.AppLog;
import org.bosun.api.pod.PodInfo;
import org.bosun.api.provider.ProviderKind;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code bosun logs}: an app's output as its engine kept it, {@code apps/NAME/log} in the pod, rotated
 * to {@code log.1} (newest) ... {@code log.5} (oldest). Prints the files oldest first; with several
 * apps and no {@code --app}, app after app, each line prefixed {@code [NAME] }.
 */
@Command(name = "logs", description = "Print the output of a pod's apps, as kept in the pod (oldest first).")
final class LogsCommand implements Callable<Integer> {
    static final long POLL_MILLIS = 100;

    @picocli.CommandLine.Mixin
    HelpOption help;

    @Parameters(arity = "0..1", paramLabel = "UUID", description = "the pod (a unique UUID prefix is enough)")
    List<String> uuid;

    @Option(names = "--uuid-file", paramLabel = "FILE", description = "read the pod's UUID from FILE")
    String uuidFile;

    @Option(names = "--app", paramLabel = "NAME", description = "only this app's output")
    String app;

    @Option(names = {"-f", "--follow"}, description = "keep printing new output until the pod has exited")
    boolean follow;

    @Option(names = "--tail", paramLabel = "N", description = "start with the last N lines of each app")
    Integer tail;

    private final Session session;

    LogsCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() throws InterruptedException {
        if (tail != null && tail < 0) {
            throw BosunException.invalid("--tail " + tail + " is negative; give a number of lines, 0 or more");
        }
        PodInfo pod = session.pods().status(session.paths(), NamedPods.one(session, uuid, uuidFile));
        List<String> names = apps(pod);
        if (!keepsOutput(pod)) {
            // Printing nothing would read as "the app wrote nothing".
            throw BosunException.notFound("pod " + pod.uuid() + " has no output kept: its engine '"
                    + pod.stage1().name() + "' does not supervise its app, which writes straight to the stdout and"
                    + " stderr of the bosun run that started it");
        }
        List<AppLog> logs = new ArrayList<>();
        for (String name : names) {
            AppLog log = new AppLog(name, AppLog.prefix(name, names.size()),
                    (file, e) -> BosunException.internal("cannot read " + file + ": " + e.getMessage(), e));
            log.existing(pod.directory(), tail, session.out::println);
            logs.add(log);
        }
        session.out.flush();
        while (follow && !pod.state().isFinished()) {
            Thread.sleep(POLL_MILLIS);
            pod = session.pods().status(session.paths(), pod.uuid());
            for (AppLog log : logs) {
                log.added(pod.directory(), session.out::println);
            }
            session.out.flush();
        }
        if (follow) {
            // the pod has exited: what it wrote last
            for (AppLog log : logs) {
                log.added(pod.directory(), session.out::println);
                log.rest(session.out::println);
            }
        }
        session.out.flush();
        return 0;
    }

    /** Whether the pod's engine keeps its apps' output; an unsupervised one (fly) gives them bosun run's streams. */
    private boolean keepsOutput(PodInfo pod) {
        if (pod.stage1() == null) {
            return true;
        }
        return session.provider(ProviderKind.ENGINE, ProviderKind.ENGINE.named(pod.stage1().name()))
                .map(engine -> engine.use(e -> e.capabilities().supervised())).orElse(true);
    }

    private List<String> apps(PodInfo pod) {
        List<String> all = pod.apps().stream().map(AppInfo::name).toList();
        if (app == null) {
            return all;
        }
        if (!all.contains(app)) {
            throw BosunException.notFound("pod " + pod.uuid() + " has no app '" + app + "'; its apps are "
                    + String.join(", ", all));
        }
        return List.of(app);
    }
}
