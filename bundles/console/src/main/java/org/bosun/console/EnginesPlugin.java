package org.bosun.console;

import jakarta.servlet.Servlet;
import java.util.List;
import org.apache.felix.webconsole.servlet.ServletConstants;
import org.bosun.api.bundle.PlatformBundles;
import org.bosun.api.provider.ProviderKind;
import org.bosun.api.provider.ProviderRegistry;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * The Engines page: the stage1 engines as {@code bosun version} shows them, each with its bundle, version,
 * ABI and state, and the reason when it is not active; below them the providers no other page shows (the
 * image store, the trust store, key discovery, the measurement log). An engine's bundle is updated from an
 * uploaded jar or a URL, and rolled back, as {@code bosun bundle update|rollback} does.
 */
@Component(service = Servlet.class, property = {
        ServletConstants.PLUGIN_LABEL + "=" + EnginesPlugin.LABEL,
        ServletConstants.PLUGIN_TITLE + "=Engines",
        ServletConstants.PLUGIN_CATEGORY + "=bosun" })
public final class EnginesPlugin extends SwapPage {
    static final String LABEL = "bosun-engines";
    private static final long serialVersionUID = 1L;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private transient volatile PlatformBundles bundles;

    @Activate
    public EnginesPlugin(BundleContext context, @Reference ProviderRegistry providers) {
        super(context, LABEL, providers, List.of(ProviderKind.ENGINE, ProviderKind.IMAGE_STORE,
                ProviderKind.TRUST_STORE, ProviderKind.KEY_DISCOVERY, ProviderKind.MEASUREMENT_LOG), "an engine");
    }

    @Override
    PlatformBundles bundles() {
        return bundles;
    }
}
