package org.bosun.console;

import jakarta.servlet.http.HttpServletRequest;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import org.bosun.api.bundle.BundleRecord;
import org.bosun.api.bundle.PlatformBundles;
import org.bosun.api.provider.ProviderKind;
import org.bosun.api.provider.ProviderRegistry;
import org.bosun.api.provider.ProviderStatus;
import org.osgi.framework.BundleContext;

/**
 * A page of providers whose bundles can be swapped (Engines, Image formats, Networks, Security modules):
 * the providers of its kinds with their bundles, Roll back per updated bundle, Uninstall per installed
 * extension, and the Update and Install forms; its actions are the {@link PlatformBundles} calls of
 * {@code bosun bundle update|rollback|install|uninstall}.
 */
abstract class SwapPage extends BosunPage {
    private static final long serialVersionUID = 1L;

    final transient ProviderRegistry providers;
    private final transient List<ProviderKind<?>> kinds;
    private final String what;
    private final String label;

    SwapPage(BundleContext context, String label, ProviderRegistry providers, List<ProviderKind<?>> kinds,
            String what) {
        super(context, label);
        this.providers = providers;
        this.kinds = kinds;
        this.what = what;
        this.label = label;
    }

    /** The bundle service, or null while it is not running. */
    abstract PlatformBundles bundles();

    @Override
    void render(HttpServletRequest request, PrintWriter out) {
        List<ProviderStatus> all = providers.status(paths);
        Map<String, BundleRecord> records = ProviderBundles.records(bundles(), paths);
        for (ProviderKind<?> kind : kinds) {
            ProviderBundles.providers(out, root(request), token.value(), kind, all, records);
        }
        ProviderBundles.updateForm(out, root(request), token.value(), what);
        ProviderBundles.installForm(out, root(request), token.value());
        more(request, out);
    }

    /** What the page shows below the Update form; nothing by default. */
    void more(HttpServletRequest request, PrintWriter out) {
    }

    @Override
    Action action(HttpServletRequest request, String root) {
        return ProviderBundles.action(request, root, bundles(), paths);
    }

    @Override
    String actions() {
        return "POST " + label + " with " + ProviderBundles.ACTIONS;
    }
}
