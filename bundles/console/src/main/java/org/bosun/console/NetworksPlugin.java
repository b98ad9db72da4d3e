package org.bosun.console;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServletRequest;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import org.apache.felix.webconsole.servlet.ServletConstants;
import org.bosun.api.BosunException;
import org.bosun.api.bundle.PlatformBundles;
import org.bosun.api.net.NetworkDefinition;
import org.bosun.api.net.NetworkProvider;
import org.bosun.api.provider.ProviderKind;
import org.bosun.api.provider.ProviderReference;
import org.bosun.api.provider.ProviderRegistry;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * The Networks page: the network providers with their bundles and states (as on the Engines page; a
 * provider's bundle is updated and rolled back here as {@code bosun bundle update|rollback} does), and
 * the networks each one defines for this node, which {@code --net=} names: name, where it is defined
 * (a {@code net.d} file, or built in), and its CNI plugins. Read through each provider's
 * {@link NetworkProvider#networks}, the provider's own reading of its configuration.
 */
@Component(service = Servlet.class, property = {
        ServletConstants.PLUGIN_LABEL + "=" + NetworksPlugin.LABEL,
        ServletConstants.PLUGIN_TITLE + "=Networks",
        ServletConstants.PLUGIN_CATEGORY + "=bosun" })
public final class NetworksPlugin extends SwapPage {
    static final String LABEL = "bosun-networks";
    private static final long serialVersionUID = 1L;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private transient volatile PlatformBundles bundles;

    @Activate
    public NetworksPlugin(BundleContext context, @Reference ProviderRegistry providers) {
        super(context, LABEL, providers, List.of(ProviderKind.NETWORK), "a network provider");
    }

    @Override
    PlatformBundles bundles() {
        return bundles;
    }

    /** One provider's networks, or why it does not list them. */
    record Listed(String provider, List<NetworkDefinition> networks, String error) {
    }

    @Override
    void more(HttpServletRequest request, PrintWriter out) {
        List<Listed> listed = new ArrayList<>();
        for (ProviderReference<NetworkProvider> ref : providers.providers(ProviderKind.NETWORK, null)) {
            try {
                listed.add(new Listed(ref.name(), ref.use(p -> p.networks(paths)), null));
            } catch (BosunException e) {
                listed.add(new Listed(ref.name(), List.of(), e.getMessage()));
            }
        }
        render(out, listed);
    }

    /** The networks table, provider by provider, and each provider's error in the console's error style. */
    static void render(PrintWriter out, List<Listed> listed) {
        out.println("<h2>networks</h2>");
        out.println("<table class='nicetable' id='bosun-networks'><thead><tr><th>Name</th><th>Defined in</th>"
                + "<th>Plugins</th><th>Provider</th></tr></thead><tbody>");
        for (Listed l : listed) {
            for (NetworkDefinition n : l.networks()) {
                out.println("<tr data-network='" + Html.esc(n.name()) + "'><td class='name'>" + Html.esc(n.name())
                        + "</td><td class='source'>" + Html.esc(n.source()) + "</td><td class='types'>"
                        + Html.esc(String.join(", ", n.types())) + "</td><td>" + Html.esc(String.valueOf(l.provider()))
                        + "</td></tr>");
            }
        }
        out.println("</tbody></table>");
        for (Listed l : listed) {
            if (l.error() != null) {
                out.println("<p class='statline ui-state-error'>" + Html.esc(l.provider() + ": " + l.error()) + "</p>");
            }
        }
    }
}
