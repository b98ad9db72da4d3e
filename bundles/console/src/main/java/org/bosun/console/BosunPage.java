package org.bosun.console;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.function.Supplier;
import org.apache.felix.webconsole.servlet.AbstractServlet;
import org.apache.felix.webconsole.servlet.ServletConstants;
import org.bosun.api.BosunException;
import org.bosun.api.RuntimePaths;
import org.osgi.framework.BundleContext;

/**
 * What every bosun page of the console does the same way. It serves the agent's data directory (its
 * {@code --dir}). A GET shows the outcome of the last action ({@code message}, {@code error}) above the
 * page, and a service's error instead of the page. A POST counts only with the page's {@link FormToken}
 * (else 403); the page names the action it asks for (none: 400 with the page's actions), which is run, and
 * the browser is sent back with its message, or the service's error, the CLI's words.
 */
abstract class BosunPage extends AbstractServlet {
    private static final long serialVersionUID = 1L;

    final transient RuntimePaths paths;
    final transient FormToken token = new FormToken();
    private final String label;

    /** An action a POST asks for: the service call, which says what it did, and the page to show after it. */
    record Action(Supplier<String> call, String back) {
    }

    BosunPage(BundleContext context, String label) {
        this.paths = dataPaths(context.getProperty("bosun.agent.dir"));
        this.label = label;
    }

    /** The agent's data directory (its --dir), as its other services use it. */
    static RuntimePaths dataPaths(String dataDir) {
        RuntimePaths defaults = RuntimePaths.defaults();
        return dataDir == null || dataDir.isEmpty() ? defaults
                : new RuntimePaths(Path.of(dataDir), defaults.localConfigDir(), defaults.systemConfigDir());
    }

    /** The page's address: the console's root and the label. */
    final String root(HttpServletRequest request) {
        Object appRoot = request.getAttribute(ServletConstants.ATTR_APP_ROOT);
        return (appRoot == null ? "/system/console" : appRoot.toString()) + "/" + label;
    }

    /** What the path has after the label, without leading slashes: empty for the page itself. */
    final String rest(HttpServletRequest request) {
        String info = request.getPathInfo();
        if (info == null) {
            return "";
        }
        int at = info.indexOf(label);
        String rest = at < 0 ? "" : info.substring(at + label.length());
        while (rest.startsWith("/")) {
            rest = rest.substring(1);
        }
        return rest;
    }

    /** The page below the message; a BosunException it throws is shown in its place. */
    abstract void render(HttpServletRequest request, PrintWriter out);

    /** The action a POST asks for, or null when it asks for none of this page's. */
    Action action(HttpServletRequest request, String root) {
        return null;
    }

    /** The POSTs this page takes, said to a POST that asks for none of them; null when the page has no actions. */
    String actions() {
        return null;
    }

    @Override
    public final void renderContent(HttpServletRequest request, HttpServletResponse response) throws IOException {
        PrintWriter out = response.getWriter();
        Html.message(out, request.getParameter("message"), request.getParameter("error") != null);
        try {
            render(request, out);
        } catch (BosunException e) {
            out.println("<p class='statline ui-state-error' id='bosun-error'>" + Html.esc(e.getMessage()) + "</p>");
        }
    }

    @Override
    protected final void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String refusal = token.refusal(request.getParameter(FormToken.FIELD), request.getHeader("Origin"),
                request.getHeader("Sec-Fetch-Site"), request.getScheme(), request.getHeader("Host"));
        if (refusal != null) {
            response.sendError(HttpServletResponse.SC_FORBIDDEN, refusal);
            return;
        }
        String actions = actions();
        if (actions == null) {
            response.sendError(HttpServletResponse.SC_METHOD_NOT_ALLOWED, label + " has no actions");
            return;
        }
        Action action = action(request, root(request));
        if (action == null) {
            response.sendError(HttpServletResponse.SC_BAD_REQUEST, actions);
            return;
        }
        String message;
        boolean error = false;
        try {
            message = action.call().get();
        } catch (BosunException e) {
            message = e.getMessage();
            error = true;
        }
        response.sendRedirect(action.back() + "?message=" + URLEncoder.encode(message, StandardCharsets.UTF_8)
                + (error ? "&error=1" : ""));
    }
}
