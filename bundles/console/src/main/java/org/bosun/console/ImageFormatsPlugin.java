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
 * The Image formats page: the image formats (appc, OCI, docker, ...) as {@code bosun version} shows them, each
 * with its bundle, version, ABI and state, and the reason when it is not active; a format's bundle is updated
 * from an uploaded jar or a URL, and rolled back, as {@code bosun bundle update|rollback} does.
 */
@Component(service = Servlet.class, property = {
        ServletConstants.PLUGIN_LABEL + "=" + ImageFormatsPlugin.LABEL,
        ServletConstants.PLUGIN_TITLE + "=Image formats",
        ServletConstants.PLUGIN_CATEGORY + "=bosun" })
public final class ImageFormatsPlugin extends SwapPage {
    static final String LABEL = "bosun-image-formats";
    private static final long serialVersionUID = 1L;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private transient volatile PlatformBundles bundles;

    @Activate
    public ImageFormatsPlugin(BundleContext context, @Reference ProviderRegistry providers) {
        super(context, LABEL, providers, List.of(ProviderKind.IMAGE_FORMAT), "an image format");
    }

    @Override
    PlatformBundles bundles() {
        return bundles;
    }
}
