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
        String message = request.getParameter("message");
        if (message != null) {
            out.println("<p class='statline ui-state-highlight' id='bosun-message'>" + Html.esc(message) + "</p>");
        }
        try {
            if (uuid == null) {
                list(out, root(request));
            } else {
                detail(out, root(request), pods.status(paths, uuid));
            }
        } catch (BosunException e) {
            out.println("<p class='statline ui-state-error' id='bosun-error'>" + Html.esc(e.getMessage()) + "</p>");
        }
    }

    private void list(PrintWriter out, String root) {
        List<PodInfo> all = pods.list(paths);
        out.println("<p class='statline'>" + all.size() + " pods in " + Html.esc(paths.dataDir()) + "</p>");
        out.println("<table class='nicetable' id='bosun-pods'><thead><tr><th>UUID</th><th>State</th><th>Engine</th>"
                + "<th>Apps</th><th>Networks</th><th>Age</th></tr></thead><tbody>");
        Instant now = Instant.now();
        for (PodInfo pod : all) {
            out.println("<tr data-uuid='" + Html.esc(pod.uuid()) + "'><td><a href='" + Html.esc(root + "/" + pod.uuid())
                    + "'>" + Html.esc(pod.uuid()) + "</a></td><td class='state'>" + Html.esc(pod.state().label())
                    + "</td><td>" + Html.esc(engine(pod)) + "</td><td>" + Html.esc(apps(pod)) + "</td><td>"
                    + Html.esc(networks(pod)) + "</td><td>" + Html.esc(age(pod.created(), now)) + "</td></tr>");
        }
        out.println("</tbody></table>");
    }

    private void detail(PrintWriter out, String root, PodInfo pod) {
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
        if (pod.state() == PodState.RUNNING) {
            out.println("<form method='post' action='" + Html.esc(root + "/" + pod.uuid()) + "'>"
                    + "<input type='hidden' name='" + FormToken.FIELD + "' value='" + token.value() + "'>"
                    + "<input type='hidden' name='action' value='stop'>"
                    + "<button type='submit' id='bosun-stop' class='ui-button'>Stop</button></form>");
        }
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
        if (uuid == null || !"stop".equals(request.getParameter("action"))) {
            response.sendError(HttpServletResponse.SC_BAD_REQUEST,
                    "POST " + LABEL + "/UUID with action=stop is the one action here");
            return;
        }
        String message;
        try {
            message = stop(uuid);
        } catch (BosunException e) {
            message = e.getMessage();
        }
        response.sendRedirect(root(request) + "/" + uuid + "?message="
                + URLEncoder.encode(message, StandardCharsets.UTF_8));
    }

    /** The CLI's stop (bosun stop UUID): a pod that has run and exited is already stopped. */
    String stop(String uuid) {
        try {
            pods.stop(paths, uuid, false);
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
