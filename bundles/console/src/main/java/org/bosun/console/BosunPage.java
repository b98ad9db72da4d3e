package org.bosun.console;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
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
        // the agent's own, as its other services use them: a bundle update verifies its signature with
        // the keys trusted in the agent's configuration
        this.paths = RuntimePaths.of(context.getProperty("bosun.agent.dir"),
                context.getProperty("bosun.agent.localConfig"), context.getProperty("bosun.agent.systemConfig"));
        this.label = label;
    }

    /**
     * A form field: a parameter, or in a multipart form (an upload) the text of its part, at most
     * {@link #MAX_FIELD_BYTES}; null when the request has none.
     */
    static String field(HttpServletRequest request, String name) {
        String value = request.getParameter(name);
        String type = request.getContentType();
        if (value != null || type == null || !type.toLowerCase(java.util.Locale.ROOT).startsWith("multipart/")) {
            return value;
        }
        try {
            jakarta.servlet.http.Part part = request.getPart(name);
            if (part == null || part.getSubmittedFileName() != null) {
                return null;
            }
            try (java.io.InputStream in = part.getInputStream()) {
                return new String(in.readNBytes(MAX_FIELD_BYTES), StandardCharsets.UTF_8);
            }
        } catch (IOException | jakarta.servlet.ServletException | IllegalStateException e) {
            return null;
        }
    }

    static final int MAX_FIELD_BYTES = 8192;

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
        String refusal = token.refusal(field(request, FormToken.FIELD), request.getHeader("Origin"),
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
        response.sendRedirect(action.back() + (action.back().contains("?") ? "&" : "?") + "message="
                + URLEncoder.encode(message, StandardCharsets.UTF_8)
                + (error ? "&error=1" : ""));
    }
}
