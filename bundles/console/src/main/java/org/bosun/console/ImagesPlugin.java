package org.bosun.console;

import jakarta.servlet.Servlet;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import org.apache.felix.webconsole.servlet.ServletConstants;
import org.bosun.api.BosunException;
import org.bosun.api.InsecureOption;
import org.bosun.api.RuntimePaths;
import org.bosun.api.image.FetchOptions;
import org.bosun.api.image.ImageGcReport;
import org.bosun.api.image.ImageProviders;
import org.bosun.api.image.ImageReference;
import org.bosun.api.image.Progress;
import org.bosun.api.image.StoredImage;
import org.bosun.api.pod.PodService;
import org.bosun.api.provider.ProviderRegistry;
import org.bosun.api.text.HumanText;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

/**
 * The Images page: the image store's images as {@code bosun image list} shows them (id, name, size, import
 * time, last used, format) with the key that signed each, a Remove button per image ({@code bosun image rm
 * ID}), Collect garbage ({@code bosun image gc}, its default grace period) and Fetch ({@code bosun fetch
 * [--insecure-options=...] IMAGE}, its progress shown as bars while it runs, see {@link FetchJobs}): the same
 * ImageStore and ImageFormat calls with the pods' images in use from the same PodService, the same errors,
 * shown on the page. The store is looked up in the provider
 * registry for each request and let go after it (its bundle may be updated between requests).
 */
@Component(service = Servlet.class, property = {
        ServletConstants.PLUGIN_LABEL + "=" + ImagesPlugin.LABEL,
        ServletConstants.PLUGIN_TITLE + "=Images",
        ServletConstants.PLUGIN_CATEGORY + "=bosun" })
public final class ImagesPlugin extends BosunPage {
    static final String LABEL = "bosun-images";
    /** {@code bosun-images/fetch/ID.json}: a fetch's progress for the page that shows it. */
    static final String FETCH_JSON = "fetch/";
    /** How often the page reads a running fetch's progress. */
    static final int FETCH_REFRESH_MILLIS = 300;
    /** {@code bosun image gc}'s default {@code --grace-period}. */
    static final Duration GC_GRACE = Duration.ofHours(24);
    private static final long serialVersionUID = 1L;

    private final transient ProviderRegistry providers;
    private final transient PodService pods;
    private final transient FetchJobs fetches = new FetchJobs();

    @Activate
    public ImagesPlugin(BundleContext context, @Reference ProviderRegistry providers, @Reference PodService pods) {
        super(context, LABEL);
        this.providers = providers;
        this.pods = pods;
    }

    @Deactivate
    void deactivate() {
        fetches.stop();
    }

    @Override
    void render(HttpServletRequest request, PrintWriter out) {
        List<StoredImage> images = ImageProviders.withStore(providers, s -> s.list(paths));
        render(out, root(request), paths, images, token.value(), Instant.now());
        fetchForm(out, root(request), token.value());
        fetches(out, root(request), fetches.list());
    }

    /** {@code bosun-images/fetch/ID.json}: the fetch's progress as JSON; else the console's page. */
    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws ServletException, IOException {
        String rest = rest(request);
        if (!rest.startsWith(FETCH_JSON) || !rest.endsWith(".json")) {
            super.doGet(request, response);
            return;
        }
        FetchJobs.Job job = fetches.get(rest.substring(FETCH_JSON.length(), rest.length() - ".json".length()));
        if (job == null) {
            response.sendError(HttpServletResponse.SC_NOT_FOUND, "no such fetch (finished ones are kept "
                    + FetchJobs.KEEP.toMinutes() + " minutes)");
            return;
        }
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        response.setHeader("Cache-Control", "no-store");
        response.getWriter().print(FetchJobs.json(job));
    }

    /** The Fetch form: a reference, and the insecure options as {@code --insecure-options} takes them. */
    static void fetchForm(PrintWriter out, String root, String token) {
        out.println("<h2>Fetch an image</h2>");
        out.println("<form method='post' action='" + Html.esc(root) + "' id='bosun-fetch-form'><input type='hidden' name='"
                + FormToken.FIELD + "' value='" + Html.esc(token) + "'><input type='hidden' name='action' value='fetch'>"
                + "<p>As <code>bosun fetch</code>: a <code>docker://</code>, <code>https://</code> or appc reference, or an"
                + " absolute path on the node (an ACI, <code>oci:DIR</code>, <code>oci-archive:</code>,"
                + " <code>docker-archive:</code>). Its signature is verified unless insecure options say otherwise.</p>"
                + "<p><label>Image <input type='text' name='image' id='bosun-fetch-image' size='60'></label> <label>Insecure"
                + " options <input type='text' name='insecure' id='bosun-fetch-insecure' size='16'"
                + " placeholder='none'></label> <button type='submit' class='ui-button' id='bosun-fetch'>Fetch</button></p>"
                + "</form>");
    }

    /**
     * The fetches, newest first: each with a bar per task while it runs, then its image id or error; and
     * the script that reads the running ones every {@link #FETCH_REFRESH_MILLIS} ms and shows the page
     * again when one ends (its image is then in the table).
     */
    static void fetches(PrintWriter out, String root, List<FetchJobs.Job> jobs) {
        if (jobs.isEmpty()) {
            return;
        }
        out.println("<h2>Fetches</h2>");
        out.println("<table class='nicetable' id='bosun-fetches'><thead><tr><th>Image</th><th>State</th><th>Progress</th>"
                + "<th>Outcome</th></tr></thead><tbody>");
        for (FetchJobs.Job job : jobs) {
            String state = job.state.name().toLowerCase(java.util.Locale.ROOT);
            out.println("<tr data-fetch='" + Html.esc(job.id) + "' data-state='" + state + "'><td class='image'>"
                    + Html.esc(job.reference) + "</td><td class='state'>" + state + "</td><td class='progress'>"
                    + bars(job) + "</td><td class='outcome'>" + Html.esc(job.outcome == null ? "" : job.outcome)
                    + "</td></tr>");
        }
        out.println("</tbody></table>");
        out.println("<script>(function () {"
                + "var root = " + Html.json(root) + ", busy = false;"
                + "function bar(t) { var p = document.createElement('progress'); p.className = 'bosun-fetch-bar';"
                + " p.title = t.label; if (t.total > 0) { p.max = t.total; p.value = Math.min(t.done, t.total); }"
                + " var l = document.createElement('div'); l.textContent = t.label + ' '; l.appendChild(p); return l; }"
                + "var timer = setInterval(function () {"
                + " var rows = Array.prototype.slice.call(document.querySelectorAll('#bosun-fetches tr[data-state=running]'));"
                + " if (rows.length === 0) { clearInterval(timer); return; }"
                + " if (busy) { return; } busy = true;"
                + " Promise.all(rows.map(function (row) {"
                + "  return fetch(root + '/" + FETCH_JSON + "' + row.getAttribute('data-fetch') + '.json',"
                + "   {credentials: 'same-origin', cache: 'no-store'}).then(function (r) { return r.ok ? r.json() : null; })"
                + "  .then(function (job) { if (!job) { return false; }"
                + "   var cell = row.querySelector('td.progress'); cell.textContent = '';"
                + "   job.tasks.forEach(function (t) { cell.appendChild(bar(t)); });"
                + "   return job.state !== 'running'; }); }))"
                + " .then(function (ended) { if (ended.indexOf(true) >= 0) { location.replace(root); } })"
                + " .finally(function () { busy = false; });"
                + "}, " + FETCH_REFRESH_MILLIS + "); })();</script>");
    }

    /** A fetch's tasks as bars (a task of unknown size as an indeterminate one), as rendered before the script runs. */
    static String bars(FetchJobs.Job job) {
        StringBuilder b = new StringBuilder();
        for (FetchJobs.Step t : job.tasks) {
            b.append("<div>").append(Html.esc(t.label)).append(" <progress class='bosun-fetch-bar' title='")
                    .append(Html.esc(t.label)).append("'");
            if (t.total > 0) {
                b.append(" max='").append(t.total).append("' value='").append(Math.min(t.done.get(), t.total)).append("'");
            }
            b.append("></progress></div>");
        }
        return b.toString();
    }

    /** The page: the images oldest first (as {@code bosun image list} sorts them), each with its Remove form. */
    static void render(PrintWriter out, String root, RuntimePaths paths, List<StoredImage> images, String token,
            Instant now) {
        List<StoredImage> sorted = new ArrayList<>(images);
        sorted.sort(Comparator.comparing(i -> i.importTime() == null ? Instant.EPOCH : i.importTime()));
        out.println("<p class='statline'>" + sorted.size() + " images in " + Html.esc(paths.dataDir()) + "</p>");
        out.println("<table class='nicetable' id='bosun-images'><thead><tr><th>ID</th><th>Name</th><th>Size</th>"
                + "<th>Import time</th><th>Last used</th><th>Format</th><th>Signed by</th><th></th></tr></thead><tbody>");
        for (StoredImage i : sorted) {
            out.println("<tr data-id='" + Html.esc(i.id()) + "'><td class='id' title='" + Html.esc(i.id()) + "'>"
                    + Html.esc(shortId(i.id())) + "</td><td class='name'>" + Html.esc(name(i)) + "</td><td class='size' title='"
                    + i.size() + " bytes'>" + Html.esc(HumanText.bytes(i.size())) + "</td><td class='imported' title='"
                    + Html.esc(String.valueOf(i.importTime())) + "'>" + Html.esc(ago(i.importTime(), now))
                    + "</td><td class='used'>" + Html.esc(ago(i.lastUsed(), now)) + "</td><td>"
                    + Html.esc(i.format()) + "</td><td class='signer'" + (i.signer() == null ? ">not verified"
                            : " title='" + Html.esc(i.signer()) + "'>" + Html.esc(shortKey(i.signer())))
                    + "</td><td>" + Html.form(root, token, "rm", "id", i.id(), "Remove",
                            "bosun-rm", "ui-button") + "</td></tr>");
        }
        out.println("</tbody></table>");
        out.println("<p>" + Html.form(root, token, "gc", null, null, "Collect garbage (unused for 24 hours)", "bosun-image-gc",
                "ui-button") + "</p>");
    }

    /** A key fingerprint as gpg shows it short: its last 16 hex digits (formats write it with or without spaces). */
    static String shortKey(String fingerprint) {
        String hex = fingerprint.replace(" ", "");
        return hex.length() > 16 ? hex.substring(hex.length() - 16) : hex;
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
        if ("fetch".equals(action)) {
            String image = request.getParameter("image");
            String insecure = request.getParameter("insecure");
            return new Action(() -> startFetch(image, insecure), root);
        }
        return "gc".equals(action) ? new Action(this::gc, root) : null;
    }

    @Override
    String actions() {
        return "POST " + LABEL + " with action=rm and id=IMAGE, action=gc, or action=fetch with image=REFERENCE and"
                + " insecure=OPTIONS, are the actions here";
    }

    /** Starts {@code bosun fetch [--insecure-options=INSECURE] IMAGE}; bad input is refused before anything runs. */
    String startFetch(String image, String insecure) {
        ImageReference ref = reference(image);
        Set<InsecureOption> options = InsecureOption.parse(insecure);
        FetchJobs.Job job = fetches.start(ref.original(), progress -> fetch(ref, options, progress));
        return "fetching " + ref.original() + " (fetch " + job.id + "); its progress is below";
    }

    /**
     * The reference; the console has no working directory, so a path on the node must be absolute: a
     * reference that ImageReference resolves differently against two directories names a relative path.
     */
    static ImageReference reference(String image) {
        String given = image == null ? "" : image.strip();
        ImageReference ref = ImageReference.parse(given, Path.of("/"));
        if (!ref.location().equals(ImageReference.parse(given, Path.of("/nonexistent")).location())) {
            throw BosunException.invalid("image " + given + " is a relative path, and the console has no working"
                    + " directory; give the absolute path on the node");
        }
        return ref;
    }

    /** The CLI's {@code bosun fetch}: the format that reads the reference, into the store; the image's id. */
    String fetch(ImageReference ref, Set<InsecureOption> insecure, Progress progress) {
        FetchOptions options = new FetchOptions(paths, insecure, "new", progress);
        StoredImage stored = ImageProviders.withStore(providers, store -> ImageProviders.withFormatReading(providers,
                ref.scheme(), ref.location(), format -> format.fetch(ref, options, store)));
        return "fetched " + stored.id();
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
