package org.bosun.apiservice;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.bosun.api.BosunException;
import org.bosun.api.RuntimePaths;
import org.bosun.api.pod.AppInfo;
import org.bosun.api.pod.AppLog;
import org.bosun.api.pod.PodInfo;
import org.bosun.api.pod.PodService;
import org.bosun.apiservice.v1alpha.GetLogsResponse;

import io.grpc.stub.ServerCallStreamObserver;

/**
 * GetLogs: the apps' logs read by {@link AppLog}, as {@code bosun logs} reads them: oldest first, each
 * line prefixed {@code [NAME] } when several apps are read. Following polls the current file every
 * 100 ms and ends when the pod has exited (after its last output) or the client hangs up. Following
 * every app of the pod (no app named) takes in an app added meanwhile, from its first line, prefixed
 * with its name.
 */
final class AppLogs {
    static final long POLL_MILLIS = 100;
    /** Lines per response. */
    static final int BATCH = 500;

    private final PodService pods;
    private final RuntimePaths paths;
    private PodInfo pod;
    private final List<AppLog> logs = new ArrayList<>();
    private final Integer lastLines;

    private final Set<String> followed = new HashSet<>();
    /** Whether every app of the pod is read, those added later too. */
    private final boolean allApps;

    /** @param apps the apps to read; null for all the pod's */
    AppLogs(PodService pods, RuntimePaths paths, PodInfo pod, List<String> apps, Integer lastLines) {
        this.pods = pods;
        this.paths = paths;
        this.pod = pod;
        this.lastLines = lastLines;
        this.allApps = apps == null;
        List<String> names = allApps ? pod.apps().stream().map(AppInfo::name).toList() : apps;
        for (String app : names) {
            follow(app, names.size());
        }
    }

    private AppLog follow(String app, int appsRead) {
        AppLog log = new AppLog(app, AppLog.prefix(app, appsRead), (file, e) -> BosunException.permissionDenied(
                "cannot read " + file + ": " + e.getMessage() + "; the API service needs read access to the data"
                        + " directory"));
        logs.add(log);
        followed.add(app);
        return log;
    }

    /** Apps added to the pod since: read from their first line (their name in front: the pod has several now). */
    private void takeInAdded(List<String> lines) {
        if (!allApps) {
            return;
        }
        for (AppInfo app : pod.apps()) {
            if (!followed.contains(app.name())) {
                follow(app.name(), Math.max(2, pod.apps().size())).existing(pod.directory(), null, lines::add);
            }
        }
    }

    void stream(ServerCallStreamObserver<GetLogsResponse> out, boolean follow) throws InterruptedException {
        List<String> lines = new ArrayList<>();
        for (AppLog log : logs) {
            log.existing(pod.directory(), lastLines, lines::add);
        }
        send(out, lines, true);
        while (follow && !pod.state().isFinished() && !out.isCancelled()) {
            Thread.sleep(POLL_MILLIS);
            try {
                pod = pods.status(paths, pod.uuid());
            } catch (BosunException gone) {
                break;
            }
            for (AppLog log : logs) {
                log.added(pod.directory(), lines::add);
            }
            takeInAdded(lines);
            send(out, lines, false);
        }
        if (follow && !out.isCancelled()) {
            for (AppLog log : logs) {
                log.added(pod.directory(), lines::add);
                log.rest(lines::add);
            }
            send(out, lines, false);
        }
        if (!out.isCancelled()) {
            out.onCompleted();
        }
    }

    private static void send(ServerCallStreamObserver<GetLogsResponse> out, List<String> lines, boolean always) {
        if (out.isCancelled()) {
            lines.clear();
            return;
        }
        if (lines.isEmpty() && always) {
            out.onNext(GetLogsResponse.getDefaultInstance());
        }
        for (int i = 0; i < lines.size(); i += BATCH) {
            out.onNext(GetLogsResponse.newBuilder().addAllLines(lines.subList(i, Math.min(lines.size(), i + BATCH)))
                    .build());
        }
        lines.clear();
    }
}
