package org.bosun.console;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.felix.webconsole.servlet.AbstractServlet;
import org.apache.felix.webconsole.servlet.ServletConstants;
import org.bosun.api.BosunException;
import org.bosun.api.ErrorKind;
import org.bosun.api.RuntimePaths;
import org.bosun.api.net.NetworkAttachment;
import org.bosun.api.pod.AppInfo;
import org.bosun.api.pod.GcReport;
import org.bosun.api.pod.PodInfo;
import org.bosun.api.pod.PodService;
import org.bosun.api.pod.PodState;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The Pods page: the pods of the agent's data directory as {@code bosun list} shows them, a pod's detail
 * as {@code bosun status} and its Stop button, which calls the CLI's stop (the same PodService call, the
 * same errors, shown on the page).
 */
@Component(service = Servlet.class, property = {
        ServletConstants.PLUGIN_LABEL + "=" + PodsPlugin.LABEL,
        ServletConstants.PLUGIN_TITLE + "=Pods",
        ServletConstants.PLUGIN_CATEGORY + "=bosun" })
public final class PodsPlugin extends AbstractServlet {
    static final String LABEL = "bosun-pods";
    private static final long serialVersionUID = 1L;

    private final transient PodService pods;
    private final transient RuntimePaths paths;
    private final transient FormToken token = new FormToken();

    @Activate
    public PodsPlugin(BundleContext context, @Reference PodService pods) {
        this.pods = pods;
        this.paths = dataPaths(context.getProperty("bosun.agent.dir"));
    }

    /** The agent's data directory (its --dir), as its other services use it. */
    static RuntimePaths dataPaths(String dataDir) {
        RuntimePaths defaults = RuntimePaths.defaults();
        return dataDir == null || dataDir.isEmpty() ? defaults
                : new RuntimePaths(Path.of(dataDir), defaults.localConfigDir(), defaults.systemConfigDir());
    }

    /** The pod's UUID in /bosun-pods/UUID, or null for the list. */
    private static String podOf(HttpServletRequest request) {
        String info = request.getPathInfo();
        if (info == null) {
            return null;
        }
        int at = info.indexOf(LABEL);
        String rest = at < 0 ? "" : info.substring(at + LABEL.length());
        while (rest.startsWith("/")) {
            rest = rest.substring(1);
        }
        return rest.isEmpty() ? null : rest;
    }

    private static String root(HttpServletRequest request) {
        Object appRoot = request.getAttribute(ServletConstants.ATTR_APP_ROOT);
        return (appRoot == null ? "/system/console" : appRoot.toString()) + "/" + LABEL;
    }

    @Override
    public void renderContent(HttpServletRequest request, HttpServletResponse response) throws IOException {
        PrintWriter out = response.getWriter();
        String uuid = podOf(request);
        Html.message(out, request.getParameter("message"), request.getParameter("error") != null);
        try {
            if (uuid == null) {
                list(out, root(request), paths, pods.list(paths), token.value(), Instant.now());
            } else {
                detail(out, root(request), pods.status(paths, uuid), token.value());
            }
        } catch (BosunException e) {
            out.println("<p class='statline ui-state-error' id='bosun-error'>" + Html.esc(e.getMessage()) + "</p>");
        }
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
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String uuid = podOf(request);
        String refusal = token.refusal(request.getParameter(FormToken.FIELD), request.getHeader("Origin"),
                request.getHeader("Sec-Fetch-Site"), request.getScheme(), request.getHeader("Host"));
        if (refusal != null) {
            response.sendError(HttpServletResponse.SC_FORBIDDEN, refusal);
            return;
        }
        String action = request.getParameter("action");
        boolean onPod = uuid != null && action != null && List.of("stop", "force-stop", "rm").contains(action);
        if (!onPod && !(uuid == null && "gc".equals(action))) {
            response.sendError(HttpServletResponse.SC_BAD_REQUEST, "POST " + LABEL
                    + "/UUID with action=stop, force-stop or rm, or POST " + LABEL + " with action=gc, are the actions here");
            return;
        }
        String message;
        boolean error = false;
        String back = root(request) + (uuid == null ? "" : "/" + uuid);
        try {
            switch (action) {
                case "stop" -> message = stop(uuid, false);
                case "force-stop" -> message = stop(uuid, true);
                case "rm" -> {
                    pods.remove(paths, uuid);
                    message = "removed " + uuid;
                    back = root(request); // the pod's page is gone
                }
                default -> message = gc();
            }
        } catch (BosunException e) {
            message = e.getMessage();
            error = true;
        }
        response.sendRedirect(back + "?message=" + URLEncoder.encode(message, StandardCharsets.UTF_8)
                + (error ? "&error=1" : ""));
    }

    /** The CLI's {@code bosun gc} with its default grace period (30m) and expiry of prepared pods (24h). */
    String gc() {
        GcReport report = pods.gc(paths, Duration.ofMinutes(30), Duration.ofHours(24), false);
        return gcSummary(report);
    }

    /** What {@code bosun gc} prints, on one line. */
    static String gcSummary(GcReport report) {
        List<String> lines = new java.util.ArrayList<>();
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
