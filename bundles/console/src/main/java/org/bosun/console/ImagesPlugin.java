package org.bosun.console;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServletRequest;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.felix.webconsole.servlet.ServletConstants;
import org.bosun.api.RuntimePaths;
import org.bosun.api.image.ImageGcReport;
import org.bosun.api.image.ImageProviders;
import org.bosun.api.image.StoredImage;
import org.bosun.api.pod.PodService;
import org.bosun.api.provider.ProviderRegistry;
import org.bosun.api.text.HumanText;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The Images page: the image store's images as {@code bosun image list} shows them (id, name, size, import
 * time, last used, format), with a Remove button per image ({@code bosun image rm ID}) and Collect garbage
 * ({@code bosun image gc}, its default grace period): the same ImageStore calls with the pods' images in use
 * from the same PodService, the same errors, shown on the page. The store is looked up in the provider
 * registry for each request and let go after it (its bundle may be updated between requests).
 */
@Component(service = Servlet.class, property = {
        ServletConstants.PLUGIN_LABEL + "=" + ImagesPlugin.LABEL,
        ServletConstants.PLUGIN_TITLE + "=Images",
        ServletConstants.PLUGIN_CATEGORY + "=bosun" })
public final class ImagesPlugin extends BosunPage {
    static final String LABEL = "bosun-images";
    /** {@code bosun image gc}'s default {@code --grace-period}. */
    static final Duration GC_GRACE = Duration.ofHours(24);
    private static final long serialVersionUID = 1L;

    private final transient ProviderRegistry providers;
    private final transient PodService pods;

    @Activate
    public ImagesPlugin(BundleContext context, @Reference ProviderRegistry providers, @Reference PodService pods) {
        super(context, LABEL);
        this.providers = providers;
        this.pods = pods;
    }

    @Override
    void render(HttpServletRequest request, PrintWriter out) {
        List<StoredImage> images = ImageProviders.withStore(providers, s -> s.list(paths));
        render(out, root(request), paths, images, token.value(), Instant.now());
    }

    /** The page: the images oldest first (as {@code bosun image list} sorts them), each with its Remove form. */
    static void render(PrintWriter out, String root, RuntimePaths paths, List<StoredImage> images, String token,
            Instant now) {
        List<StoredImage> sorted = new ArrayList<>(images);
        sorted.sort(Comparator.comparing(i -> i.importTime() == null ? Instant.EPOCH : i.importTime()));
        out.println("<p class='statline'>" + sorted.size() + " images in " + Html.esc(paths.dataDir()) + "</p>");
        out.println("<table class='nicetable' id='bosun-images'><thead><tr><th>ID</th><th>Name</th><th>Size</th>"
                + "<th>Import time</th><th>Last used</th><th>Format</th><th></th></tr></thead><tbody>");
        for (StoredImage i : sorted) {
            out.println("<tr data-id='" + Html.esc(i.id()) + "'><td class='id' title='" + Html.esc(i.id()) + "'>"
                    + Html.esc(shortId(i.id())) + "</td><td class='name'>" + Html.esc(name(i)) + "</td><td class='size' title='"
                    + i.size() + " bytes'>" + Html.esc(HumanText.bytes(i.size())) + "</td><td class='imported' title='"
                    + Html.esc(String.valueOf(i.importTime())) + "'>" + Html.esc(ago(i.importTime(), now))
                    + "</td><td class='used'>" + Html.esc(ago(i.lastUsed(), now)) + "</td><td>"
                    + Html.esc(i.format()) + "</td><td>" + Html.form(root, token, "rm", "id", i.id(), "Remove",
                            "bosun-rm", "ui-button") + "</td></tr>");
        }
        out.println("</tbody></table>");
        out.println("<p>" + Html.form(root, token, "gc", null, null, "Collect garbage (unused for 24 hours)", "bosun-image-gc",
                "ui-button") + "</p>");
    }

    /** A time as {@code bosun image list} prints it: "never", or how long ago. */
    static String ago(Instant t, Instant now) {
        return t == null ? "never" : HumanText.ago(Duration.between(t, now));
    }

    /** An image id as {@code bosun image list} shows it: the algorithm and the first 32 hex digits. */
    static String shortId(String id) {
        int sep = id.indexOf(id.startsWith("sha512") ? '-' : ':');
        return sep > 0 && id.length() > sep + 33 ? id.substring(0, sep + 33) : id;
    }

    /** The name as {@code bosun image list} shows it: with {@code :version} when the image has that label. */
    static String name(StoredImage i) {
        String v = i.manifest() == null ? null : i.manifest().labels().get("version");
        return i.name() + (v == null ? "" : ":" + v);
    }

    @Override
    Action action(HttpServletRequest request, String root) {
        String action = request.getParameter("action");
        String id = request.getParameter("id");
        if ("rm".equals(action) && id != null && !id.isEmpty()) {
            return new Action(() -> remove(id), root);
        }
        return "gc".equals(action) ? new Action(this::gc, root) : null;
    }

    @Override
    String actions() {
        return "POST " + LABEL + " with action=rm and id=IMAGE, or action=gc, are the actions here";
    }

    /** The CLI's {@code bosun image rm ID}: the store's remove, with the pods' images in use. */
    String remove(String id) {
        ImageProviders.withStore(providers, store -> {
            store.remove(paths, id, () -> pods.imagesInUse(paths));
            return null;
        });
        return "removed image " + id;
    }

    /** The CLI's {@code bosun image gc} with its default grace period. */
    String gc() {
        ImageGcReport report = ImageProviders.withStore(providers,
                s -> s.gc(paths, GC_GRACE, true, () -> pods.imagesInUse(paths)));
        return gcSummary(report);
    }

    static String gcSummary(ImageGcReport report) {
        return "removed " + report.images().size() + " images, " + report.trees() + " trees, " + report.blobs()
                + " blobs, " + report.leftovers() + " leftovers; freed " + HumanText.bytes(report.bytesFreed());
    }
}
