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
 * The Security modules page: the security modules (capabilities, seccomp, paths, user namespaces, SELinux,
 * TPM) as {@code bosun version} shows them, each with its bundle, version, ABI and state, and the reason when
 * it is inactive (no SELinux on this host, no TPM configured); a module's bundle is updated from an uploaded
 * jar or a URL, and rolled back, as {@code bosun bundle update|rollback} does.
 */
@Component(service = Servlet.class, property = {
        ServletConstants.PLUGIN_LABEL + "=" + SecurityModulesPlugin.LABEL,
        ServletConstants.PLUGIN_TITLE + "=Security modules",
        ServletConstants.PLUGIN_CATEGORY + "=bosun" })
public final class SecurityModulesPlugin extends SwapPage {
    static final String LABEL = "bosun-security";
    private static final long serialVersionUID = 1L;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private transient volatile PlatformBundles bundles;

    @Activate
    public SecurityModulesPlugin(BundleContext context, @Reference ProviderRegistry providers) {
        super(context, LABEL, providers, List.of(ProviderKind.SECURITY_MODULE), "a security module");
    }

    @Override
    PlatformBundles bundles() {
        return bundles;
    }
}
