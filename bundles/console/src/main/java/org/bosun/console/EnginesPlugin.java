package org.bosun.console;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServletRequest;
import java.io.PrintWriter;
import java.util.List;
import org.apache.felix.webconsole.servlet.ServletConstants;
import org.bosun.api.provider.ProviderKind;
import org.bosun.api.provider.ProviderRegistry;
import org.bosun.api.provider.ProviderStatus;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The Engines page: the provider registry as {@code bosun version} shows it (engines, image formats,
 * networks, security modules and the rest), each with its bundle, version, ABI and state, and the reason
 * when it is not active. A bundle is updated or stopped on the console's own Bundles page.
 */
@Component(service = Servlet.class, property = {
        ServletConstants.PLUGIN_LABEL + "=" + EnginesPlugin.LABEL,
        ServletConstants.PLUGIN_TITLE + "=Engines",
        ServletConstants.PLUGIN_CATEGORY + "=bosun" })
public final class EnginesPlugin extends BosunPage {
    static final String LABEL = "bosun-engines";
    private static final long serialVersionUID = 1L;

    private final transient ProviderRegistry providers;

    @Activate
    public EnginesPlugin(BundleContext context, @Reference ProviderRegistry providers) {
        super(context, LABEL);
        this.providers = providers;
    }

    @Override
    void render(HttpServletRequest request, PrintWriter out) {
        List<ProviderStatus> all = providers.status(paths);
        for (ProviderKind<?> kind : ProviderKind.all()) {
            providers(out, kind, all);
        }
    }

    /** The providers of one kind as {@code bosun version} lists them: name, bundle, version, ABI, state. */
    static void providers(PrintWriter out, ProviderKind<?> kind, List<ProviderStatus> all) {
        List<ProviderStatus> ofKind = all.stream().filter(s -> s.kind().equals(kind)).toList();
        if (ofKind.isEmpty()) {
            return;
        }
        out.println("<h2>" + Html.esc(kind.id()) + "</h2>");
        out.println("<table class='nicetable' id='bosun-" + Html.esc(kind.id()) + "'><thead><tr><th>Name</th>"
                + "<th>Bundle</th><th>Version</th><th>ABI</th><th>State</th></tr></thead><tbody>");
        for (ProviderStatus s : ofKind) {
            out.println("<tr><td>" + Html.esc(s.name() == null ? "" : s.name()) + "</td><td>"
                    + Html.esc(s.bundleSymbolicName()) + "</td><td>" + Html.esc(s.bundleVersion()) + "</td><td>"
                    + (s.abiVersion() == null ? "" : s.abiVersion()) + "</td><td class='state'>"
                    + Html.esc(s.describe()) + "</td></tr>");
        }
        out.println("</tbody></table>");
    }
}
