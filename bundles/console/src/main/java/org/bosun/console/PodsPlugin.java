package org.bosun.console;

import jakarta.servlet.Servlet;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.felix.webconsole.servlet.ServletConstants;
import org.bosun.api.BosunException;
import org.bosun.api.ErrorKind;
import org.bosun.api.RuntimePaths;
import org.bosun.api.net.NetworkAttachment;
import org.bosun.api.pod.AppInfo;
import org.bosun.api.pod.AppLog;
import org.bosun.api.pod.GcReport;
import org.bosun.api.pod.PodInfo;
import org.bosun.api.pod.PodService;
import org.bosun.api.pod.PodState;
import org.bosun.api.provider.ProviderKind;
import org.bosun.api.provider.ProviderRegistry;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The Pods page: the pods of the agent's data directory as {@code bosun list} shows them, a pod's detail
 * as {@code bosun status} with its volumes and manifest ({@code bosun cat-manifest}), the last lines of its
 * apps' logs, live, and its Stop, Force stop and Remove buttons, which call the CLI's (the same PodService
 * calls, the same errors, shown on the page).
 */
@Component(service = Servlet.class, property = {
        ServletConstants.PLUGIN_LABEL + "=" + PodsPlugin.LABEL,
        ServletConstants.PLUGIN_TITLE + "=Pods",
        ServletConstants.PLUGIN_CATEGORY + "=bosun" })
public final class PodsPlugin extends BosunPage {
    static final String LABEL = "bosun-pods";
    /** How many lines of each app's log a pod's page shows. */
    static final int LOG_LINES = 50;
    /** How often an open pod's page reads its apps' logs again. */
    static final int REFRESH_MILLIS = 2000;
    /** What follows a pod's UUID in the address of its logs as JSON. */
    static final String LOG_JSON = "log.json";
    private static final long serialVersionUID = 1L;

    private final transient PodService pods;
    private final transient ProviderRegistry providers;

    @Activate
    public PodsPlugin(BundleContext context, @Reference PodService pods, @Reference ProviderRegistry providers) {
        super(context, LABEL);
        this.pods = pods;
        this.providers = providers;
    }

    /** The last lines of each app's log, app by app in the pod's order, or why the pod has none ({@code none}). */
    record Logs(String none, Map<String, List<String>> apps, Instant read) {
    }

    @Override
    void render(HttpServletRequest request, PrintWriter out) {
        String uuid = rest(request);
        if (uuid.isEmpty()) {
            list(out, root(request), paths, pods.list(paths), token.value(), Instant.now());
        } else {
            PodInfo pod = pods.status(paths, uuid);
            detail(out, root(request), pod, token.value());
            String manifest;
            try {
                manifest = pods.manifest(paths, pod.uuid());
            } catch (org.bosun.api.BosunException e) {
                manifest = null; // a pod being created has none yet
            }
            manifest(out, manifest);
            logs(out, root(request), pod.uuid(), logs(pod));
        }
    }

    /** {@code bosun-pods/UUID/log.json}: the pod's logs for its open page, as JSON; else the console's page. */
    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws ServletException, IOException {
        String rest = rest(request);
        if (!rest.endsWith("/" + LOG_JSON)) {
            super.doGet(request, response);
            return;
        }
        setNoCache(response);
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        String uuid = rest.substring(0, rest.length() - LOG_JSON.length() - 1);
        String json;
        try {
            json = json(logs(pods.status(paths, uuid)));
        } catch (BosunException e) {
            response.setStatus(e.kind() == ErrorKind.NOT_FOUND ? HttpServletResponse.SC_NOT_FOUND
                    : HttpServletResponse.SC_INTERNAL_SERVER_ERROR);
            json = "{\"error\":" + Html.json(e.getMessage()) + "}";
        }
        response.getWriter().print(json);
    }

    /** What {@code bosun logs --tail=LOG_LINES} prints of each app, read with the one reader of rotated logs. */
    Logs logs(PodInfo pod) {
        Instant read = Instant.now();
        if (!keepsOutput(pod)) {
            return new Logs("no output kept: its engine '" + pod.stage1().name() + "' does not supervise its apps,"
                    + " which write straight to the stdout and stderr of the bosun run that started them", Map.of(), read);
        }
        return new Logs(null, lastLines(pod), read);
    }

    /** The last {@link #LOG_LINES} complete lines of each app's log, across its rotated files (AppLog). */
    static Map<String, List<String>> lastLines(PodInfo pod) {
        Map<String, List<String>> apps = new LinkedHashMap<>();
        for (AppInfo app : pod.apps()) {
            List<String> lines = new ArrayList<>();
            new AppLog(app.name(), "", (file, e) -> BosunException.internal("cannot read " + file + ": " + e.getMessage(), e))
                    .existing(pod.directory(), LOG_LINES, lines::add);
            apps.put(app.name(), lines);
        }
        return apps;
    }

    /** Whether the pod's engine keeps its apps' output, as {@code bosun logs} asks it; fly does not. */
    private boolean keepsOutput(PodInfo pod) {
        if (pod.stage1() == null) {
            return true;
        }
        return providers.best(ProviderKind.ENGINE, ProviderKind.ENGINE.named(pod.stage1().name()))
                .map(engine -> engine.use(e -> e.capabilities().supervised())).orElse(true);
    }

    /** The logs as the open page reads them: {@code {"read": T, "none": WHY|null, "apps": [{"app": A, "lines": [...]}]}}. */
    static String json(Logs logs) {
        StringBuilder b = new StringBuilder("{\"read\":").append(Html.json(logs.read().toString())).append(",\"none\":")
                .append(logs.none() == null ? "null" : Html.json(logs.none())).append(",\"apps\":[");
        String sep = "";
        for (Map.Entry<String, List<String>> app : logs.apps().entrySet()) {
            b.append(sep).append("{\"app\":").append(Html.json(app.getKey())).append(",\"lines\":[")
                    .append(app.getValue().stream().map(Html::json).collect(Collectors.joining(","))).append("]}");
            sep = ",";
        }
        return b.append("]}").toString();
    }

    /**
     * The last lines of each app's log on a pod's page, and the script that reads them again every
     * {@link #REFRESH_MILLIS} ms while the page is open and puts them in as text (a log line is never markup).
     */
    static void logs(PrintWriter out, String root, String uuid, Logs logs) {
        out.println("<h2>Logs</h2>");
        out.println("<p class='statline' id='bosun-logs-status'>" + Html.esc(logsStatus(logs)) + "</p>");
        int i = 0;
        for (Map.Entry<String, List<String>> app : logs.apps().entrySet()) {
            out.println("<h3>" + Html.esc(app.getKey()) + "</h3><pre class='bosun-log' id='bosun-log-" + i++
                    + "' data-app='" + Html.esc(app.getKey()) + "' style='white-space:pre-wrap;word-break:break-all'>"
                    + Html.esc(String.join("\n", app.getValue())) + "</pre>");
        }
        out.println("<script>(function () {"
                + "var busy = false, url = " + Html.json(root + "/" + uuid + "/" + LOG_JSON) + ";"
                + "setInterval(function () {"
                + " if (busy) { return; } busy = true;"
                + " fetch(url, {credentials: 'same-origin'}).then(function (r) { return r.ok ? r.json() : null; })"
                + " .then(function (logs) {"
                + "  if (!logs) { return; }"
                + "  logs.apps.forEach(function (a, i) {"
                + "   var pre = document.getElementById('bosun-log-' + i);"
                + "   if (pre && pre.getAttribute('data-app') === a.app) { pre.textContent = a.lines.join('\\n'); } });"
                + "  document.getElementById('bosun-logs-status').textContent = logs.none !== null ? logs.none"
                + "   : 'the last " + LOG_LINES + " lines of each app, read at ' + logs.read + ' (live)';"
                + " }).finally(function () { busy = false; });"
                + "}, " + REFRESH_MILLIS + "); })();</script>");
    }

    static String logsStatus(Logs logs) {
        return logs.none() != null ? logs.none()
                : "the last " + LOG_LINES + " lines of each app, read at " + logs.read() + " (live)";
    }

    /** The list, as {@code bosun list}, and Collect garbage ({@code bosun gc} with its defaults). */
    static void list(PrintWriter out, String root, RuntimePaths paths, List<PodInfo> all, String token, Instant now) {
        out.println("<p class='statline'>" + all.size() + " pods in " + Html.esc(paths.dataDir()) + "</p>");
        out.println("<table class='nicetable' id='bosun-pods'><thead><tr><th>UUID</th><th>State</th><th>Engine</th>"
                + "<th>Apps</th><th>Networks</th><th>Age</th></tr></thead><tbody>");
        for (PodInfo pod : all) {
            out.println("<tr data-uuid='" + Html.esc(pod.uuid()) + "'><td><a href='" + Html.esc(root + "/" + pod.uuid())
                    + "'>" + Html.esc(pod.uuid()) + "</a></td><td class='state'>" + Html.esc(pod.state().label())
                    + "</td><td>" + Html.esc(engine(pod)) + "</td><td>" + Html.esc(apps(pod)) + "</td><td>"
                    + Html.esc(networks(pod)) + "</td><td>" + Html.esc(age(pod.created(), now)) + "</td></tr>");
        }
        out.println("</tbody></table>");
        out.println("<p>" + Html.form(root, token, "gc", null, null,
                "Collect garbage (exited pods after 30 minutes, prepared ones after 24 hours)", "bosun-gc", "ui-button")
                + "</p>");
    }

    /** A pod, as {@code bosun status}, with the actions its state allows: Stop and Force stop, or Remove. */
    static void detail(PrintWriter out, String root, PodInfo pod, String token) {
        out.println("<p class='statline'><a href='" + Html.esc(root) + "'>Pods</a> / " + Html.esc(pod.uuid()) + "</p>");
        out.println("<table class='nicetable' id='bosun-pod'><tbody>");
        row(out, "UUID", pod.uuid());
        row(out, "State", pod.state().label());
        row(out, "Engine", engine(pod));
        row(out, "Created", pod.created() == null ? "" : pod.created().toString());
        row(out, "Started", pod.started() == null ? "" : pod.started().toString());
        row(out, "PID", pod.pid() > 0 ? Long.toString(pod.pid()) : "");
        row(out, "Networks", networks(pod));
        row(out, "Protections off", pod.protectionsOff().isEmpty() ? "none"
                : pod.protectionsOff().stream().map(p -> p.name().toLowerCase()).sorted().collect(Collectors.joining(", ")));
        out.println("</tbody></table>");
        out.println("<table class='nicetable' id='bosun-apps'><thead><tr><th>App</th><th>Image</th><th>State</th>"
                + "<th>Exit code</th></tr></thead><tbody>");
        for (AppInfo app : pod.apps()) {
            out.println("<tr><td>" + Html.esc(app.name()) + "</td><td>" + Html.esc(app.imageName()) + "</td><td>"
                    + Html.esc(app.state() == null ? "" : app.state().label()) + "</td><td>"
                    + (app.exitCode() == null ? "" : app.exitCode()) + "</td></tr>");
        }
        out.println("</tbody></table>");
        String target = root + "/" + pod.uuid();
        if (pod.state() == PodState.RUNNING) {
            out.println("<p>" + Html.form(target, token, "stop", null, null, "Stop", "bosun-stop", "ui-button")
                    + " " + Html.form(target, token, "force-stop", null, null, "Force stop", "bosun-force-stop", "ui-button")
                    + "</p>");
        } else if (removable(pod.state())) {
            out.println("<p>" + Html.form(target, token, "rm", null, null, "Remove", "bosun-rm", "ui-button") + "</p>");
        }
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    /**
     * The pod's volumes (appc {@code volumes}: name, kind, host source, read-only) and its manifest as
     * {@code bosun cat-manifest} prints it, pretty; "none yet" for a pod without one.
     */
    static void manifest(PrintWriter out, String manifestJson) {
        com.fasterxml.jackson.databind.JsonNode manifest = null;
        if (manifestJson != null) {
            try {
                manifest = JSON.readTree(manifestJson);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                manifest = null;
            }
        }
        out.println("<h2>Volumes</h2>");
        com.fasterxml.jackson.databind.JsonNode volumes = manifest == null ? null : manifest.path("volumes");
        if (volumes == null || !volumes.isArray() || volumes.isEmpty()) {
            out.println("<p class='statline' id='bosun-volumes-none'>none</p>");
        } else {
            out.println("<table class='nicetable' id='bosun-volumes'><thead><tr><th>Name</th><th>Kind</th><th>Source</th>"
                    + "<th>Read-only</th></tr></thead><tbody>");
            for (com.fasterxml.jackson.databind.JsonNode v : volumes) {
                out.println("<tr><td class='name'>" + Html.esc(v.path("name").asText()) + "</td><td class='kind'>"
                        + Html.esc(v.path("kind").asText()) + "</td><td class='source'>" + Html.esc(v.path("source").asText(""))
                        + "</td><td class='readonly'>" + (v.path("readOnly").asBoolean(false) ? "yes" : "no") + "</td></tr>");
            }
            out.println("</tbody></table>");
        }
        out.println("<h2>Manifest</h2>");
        String text;
        try {
            text = manifest == null ? (manifestJson == null ? "none yet" : manifestJson)
                    : JSON.writerWithDefaultPrettyPrinter().writeValueAsString(manifest);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            text = manifestJson;
        }
        out.println("<pre id='bosun-manifest' style='white-space:pre-wrap;word-break:break-all'>" + Html.esc(text) + "</pre>");
    }

    /** The states {@code bosun rm} takes: prepared or exited. */
    static boolean removable(PodState state) {
        return state == PodState.PREPARED || state == PodState.EXITED || state == PodState.EXITED_GARBAGE
                || state == PodState.ABORTED_PREPARE || state == PodState.GARBAGE;
    }

    private static void row(PrintWriter out, String name, String value) {
        out.println("<tr><th>" + Html.esc(name) + "</th><td>" + Html.esc(value) + "</td></tr>");
    }

    static String engine(PodInfo pod) {
        return pod.stage1() == null ? "" : pod.stage1().name() + " " + pod.stage1().bundleVersion();
    }

    static String apps(PodInfo pod) {
        return pod.apps().stream().map(AppInfo::name).collect(Collectors.joining(", "));
    }

    static String networks(PodInfo pod) {
        return pod.networks().stream()
                .map(n -> n.address() == null ? n.network() : n.network() + " " + n.address())
                .collect(Collectors.joining(", "));
    }

    static String age(Instant created, Instant now) {
        if (created == null) {
            return "";
        }
        Duration d = Duration.between(created, now);
        if (d.toDays() > 0) {
            return d.toDays() + "d";
        }
        if (d.toHours() > 0) {
            return d.toHours() + "h";
        }
        if (d.toMinutes() > 0) {
            return d.toMinutes() + "m";
        }
        return Math.max(0, d.toSeconds()) + "s";
    }

    @Override
    Action action(HttpServletRequest request, String root) {
        String uuid = rest(request);
        String action = String.valueOf(request.getParameter("action"));
        if (uuid.isEmpty()) {
            return action.equals("gc") ? new Action(this::gc, root) : null;
        }
        return switch (action) {
            case "stop" -> new Action(() -> stop(uuid, false), root + "/" + uuid);
            case "force-stop" -> new Action(() -> stop(uuid, true), root + "/" + uuid);
            case "rm" -> new Action(() -> {
                pods.remove(paths, uuid);
                return "removed " + uuid;
            }, root); // the pod's page is gone
            default -> null;
        };
    }

    @Override
    String actions() {
        return "POST " + LABEL + "/UUID with action=stop, force-stop or rm, or POST " + LABEL
                + " with action=gc, are the actions here";
    }

    /** The CLI's {@code bosun gc} with its default grace period (30m) and expiry of prepared pods (24h). */
    String gc() {
        GcReport report = pods.gc(paths, Duration.ofMinutes(30), Duration.ofHours(24), false);
        return gcSummary(report);
    }

    /** What {@code bosun gc} prints, on one line. */
    static String gcSummary(GcReport report) {
        List<String> lines = new ArrayList<>();
        report.marked().forEach(uuid -> lines.add("moving pod " + uuid + " to garbage"));
        report.removed().forEach(uuid -> lines.add("garbage collecting pod " + uuid));
        report.failures().forEach(lines::add);
        return lines.isEmpty() ? "gc: nothing to collect" : String.join("; ", lines);
    }

    /** The CLI's stop (bosun stop UUID): a pod that has run and exited is already stopped. */
    String stop(String uuid, boolean force) {
        try {
            pods.stop(paths, uuid, force);
            return "stopped " + uuid;
        } catch (BosunException e) {
            PodInfo info = e.kind() == ErrorKind.FAILED_PRECONDITION ? pods.status(paths, uuid) : null;
            if (info == null || !(info.state() == PodState.EXITED || info.state() == PodState.EXITED_GARBAGE)) {
                throw e;
            }
            return "pod " + info.uuid() + " is already stopped";
        }
    }
}
