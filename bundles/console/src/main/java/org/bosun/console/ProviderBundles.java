package org.bosun.console;

import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.Part;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.bosun.api.BosunException;
import org.bosun.api.RuntimePaths;
import org.bosun.api.bundle.BundleRecord;
import org.bosun.api.bundle.PlatformBundles;
import org.bosun.api.provider.ProviderKind;
import org.bosun.api.provider.ProviderStatus;

/**
 * The providers of a kind with their bundles, and the changes of a provider's bundle from a page: Update
 * (a jar uploaded with its detached signature, or downloaded from a URL with {@code URL.asc}), Roll back,
 * Install of a new extension (the same two ways) and Uninstall of an installed one, each the
 * {@link PlatformBundles} call {@code bosun bundle update|rollback|install|uninstall} makes, with its
 * errors. The console never accepts an unsigned bundle ({@code --insecure-options=bundle} is the CLI's alone).
 */
final class ProviderBundles {
    /** The largest bundle jar the console takes from a URL. */
    static final long MAX_JAR_BYTES = 256L << 20;
    static final long MAX_SIGNATURE_BYTES = 1 << 20;
    /** A file name the console keeps as the user gave it (the service's messages name it); others become bundle.jar. */
    private static final Pattern PLAIN_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+-]{0,200}");

    private ProviderBundles() {
    }

    /** The platform's bundles by symbolic name; empty when the bundle service is not running. */
    static Map<String, BundleRecord> records(PlatformBundles bundles, RuntimePaths paths) {
        Map<String, BundleRecord> byName = new HashMap<>();
        if (bundles != null) {
            for (BundleRecord r : bundles.list(paths)) {
                if (r.id() != null) {
                    byName.put(r.symbolicName(), r);
                }
            }
        }
        return byName;
    }

    /**
     * The providers of one kind as {@code bosun version} lists them (name, bundle, version, ABI, state with
     * the reason when inactive), each with Roll back when its bundle has an update to undo.
     */
    static void providers(PrintWriter out, String root, String token, ProviderKind<?> kind, List<ProviderStatus> all,
            Map<String, BundleRecord> records) {
        List<ProviderStatus> ofKind = all.stream().filter(s -> s.kind().equals(kind)).toList();
        if (ofKind.isEmpty()) {
            return;
        }
        out.println("<h2>" + Html.esc(kind.id()) + "</h2>");
        out.println("<table class='nicetable' id='bosun-" + Html.esc(kind.id()) + "'><thead><tr><th>Name</th>"
                + "<th>Bundle</th><th>Version</th><th>ABI</th><th>State</th><th>Origin</th><th></th></tr></thead><tbody>");
        for (ProviderStatus s : ofKind) {
            BundleRecord r = records.get(s.bundleSymbolicName());
            out.println("<tr data-bundle='" + Html.esc(s.bundleSymbolicName()) + "'><td class='name'>"
                    + Html.esc(s.name() == null ? "" : s.name()) + "</td><td class='bundle'>"
                    + Html.esc(s.bundleSymbolicName()) + "</td><td class='version'>" + Html.esc(s.bundleVersion())
                    + "</td><td>" + (s.abiVersion() == null ? "" : s.abiVersion()) + "</td><td class='state'>"
                    + Html.esc(s.describe()) + "</td><td class='origin'>" + Html.esc(r == null ? "" : r.origin())
                    + "</td><td>" + rollback(root, token, r) + uninstall(root, token, r) + "</td></tr>");
        }
        out.println("</tbody></table>");
    }

    /** The Roll back button of a bundle that has an update to undo; nothing for the others. */
    static String rollback(String root, String token, BundleRecord r) {
        if (r == null || (r.previousVersion() == null && !"updated built-in".equals(r.origin()))) {
            return "";
        }
        return Html.form(root, token, "rollback", "bundle", r.symbolicName(), "Roll back to "
                + (r.previousVersion() == null ? "the built-in" : r.previousVersion()), "bosun-rollback", "ui-button");
    }

    /**
     * The Uninstall button of an installed extension (not of bosun's own bundles, whose updates Roll back
     * undoes); nothing for the others. Its pods keep running: an engine's pods need it again to be stopped.
     */
    static String uninstall(String root, String token, BundleRecord r) {
        if (r == null || !"extension".equals(r.origin())) {
            return "";
        }
        return Html.form(root, token, "uninstall", "bundle", r.symbolicName(), "Uninstall", "bosun-uninstall",
                "ui-button");
    }

    /** The Install form: a new extension's jar and its detached signature uploaded, or a URL. */
    static void installForm(PrintWriter out, String root, String token) {
        out.println("<h2>Install an extension</h2>");
        out.println("<form method='post' action='" + Html.esc(root) + "' enctype='multipart/form-data'"
                + " id='bosun-install-form'><input type='hidden' name='" + FormToken.FIELD + "' value='" + Html.esc(token)
                + "'><input type='hidden' name='action' value='install'><p>Add a vendor's bundle (an engine, an image"
                + " format, a network provider or a security module built against bosun's SDK), live, as"
                + " <code>bosun bundle install</code> does; it stays installed for every bosun command until"
                + " uninstalled. The jar needs its detached OpenPGP signature by a key trusted for"
                + " <code>bundle/VENDOR</code>.</p><p><label>Bundle jar <input type='file' name='jar' id='bosun-install-jar'"
                + " accept='.jar'></label> <label>Signature <input type='file' name='signature' id='bosun-install-signature'"
                + " accept='.asc,.sig'></label></p><p><label>or its URL (the signature at URL.asc) <input type='url' name='url'"
                + " id='bosun-install-url' size='60'></label></p><p><button type='submit' class='ui-button'"
                + " id='bosun-install'>Install</button></p></form>");
    }

    /** The Update form: a jar and its detached signature uploaded, or a URL. */
    static void updateForm(PrintWriter out, String root, String token, String what) {
        out.println("<h2>Update a bundle</h2>");
        out.println("<form method='post' action='" + Html.esc(root) + "' enctype='multipart/form-data'"
                + " id='bosun-update-form'><input type='hidden' name='" + FormToken.FIELD + "' value='" + Html.esc(token)
                + "'><input type='hidden' name='action' value='update'><p>Replace " + Html.esc(what) + "'s bundle by a"
                + " new version of it (same Bundle-SymbolicName), live, as <code>bosun bundle update</code> does; the"
                + " replaced version is kept for Roll back. The jar needs its detached OpenPGP signature by a key trusted"
                + " for <code>bundle/VENDOR</code>.</p><p><label>Bundle jar <input type='file' name='jar' id='bosun-update-jar'"
                + " accept='.jar'></label> <label>Signature <input type='file' name='signature' id='bosun-update-signature'"
                + " accept='.asc,.sig'></label></p><p><label>or its URL (the signature at URL.asc) <input type='url' name='url'"
                + " id='bosun-update-url' size='60'></label></p><p><button type='submit' class='ui-button'"
                + " id='bosun-update'>Update</button></p></form>");
    }

    /**
     * The change a POST asks for ({@code action=update} or {@code action=install} with a jar, or
     * {@code action=rollback&bundle=NAME} or {@code action=uninstall&bundle=NAME}), or null.
     */
    static BosunPage.Action action(HttpServletRequest request, String root, PlatformBundles bundles,
            RuntimePaths paths) {
        String action = BosunPage.field(request, "action");
        if ("rollback".equals(action) || "uninstall".equals(action)) {
            String name = BosunPage.field(request, "bundle");
            if (name == null || name.isEmpty()) {
                return null;
            }
            return new BosunPage.Action("rollback".equals(action) ? () -> rollback(bundles, paths, name)
                    : () -> uninstall(bundles, paths, name), root);
        }
        if ("update".equals(action)) {
            return new BosunPage.Action(() -> withJar(request, bundles, (service, jar) -> service
                    .update(paths, jar, null, false).updated()), root);
        }
        if ("install".equals(action)) {
            return new BosunPage.Action(() -> withJar(request, bundles, (service, jar) -> service
                    .install(paths, jar, null, false).installed()), root);
        }
        return null;
    }

    static final String ACTIONS = "action=update or action=install with a jar and signature (multipart) or url=URL,"
            + " or action=rollback or action=uninstall with bundle=NAME";

    static String rollback(PlatformBundles bundles, RuntimePaths paths, String name) {
        return service(bundles).rollback(paths, name).rolledBack();
    }

    static String uninstall(PlatformBundles bundles, RuntimePaths paths, String name) {
        return service(bundles).uninstall(paths, name).uninstalled();
    }

    /**
     * Calls {@code change} with the bundle service (UNAVAILABLE before anything is received when it is not
     * running) and the uploaded or downloaded jar, its signature beside it, in a directory of their own for
     * this one call, removed after it.
     */
    static String withJar(HttpServletRequest request, PlatformBundles bundles,
            java.util.function.BiFunction<PlatformBundles, Path, String> change) {
        PlatformBundles service = service(bundles);
        Path dir;
        try {
            dir = Files.createTempDirectory("bosun-console-upload-");
        } catch (IOException e) {
            throw BosunException.precondition("cannot make a directory for the upload: " + e.getMessage()
                    + "; check the free space of " + System.getProperty("java.io.tmpdir"));
        }
        try {
            return change.apply(service, receive(request, dir));
        } finally {
            deleteTree(dir);
        }
    }

    private static PlatformBundles service(PlatformBundles bundles) {
        if (bundles == null) {
            throw BosunException.unavailable("the bundle service (bundle org.bosun.extensions) is not running in the"
                    + " agent; the console needs it to install, update, roll back or uninstall bundles");
        }
        return bundles;
    }

    /** Puts the jar (and its signature as JAR.asc, when given) into {@code dir}. */
    private static Path receive(HttpServletRequest request, Path dir) {
        Part jarPart = part(request, "jar");
        if (jarPart != null && jarPart.getSize() > 0) {
            Path jar = dir.resolve(plainName(jarPart.getSubmittedFileName()));
            copy(jarPart, jar);
            Part signature = part(request, "signature");
            if (signature != null && signature.getSize() > 0) {
                if (signature.getSize() > MAX_SIGNATURE_BYTES) {
                    throw BosunException.invalid("signature " + signature.getSubmittedFileName() + " is larger than "
                            + MAX_SIGNATURE_BYTES + " bytes; a detached signature is far smaller");
                }
                copy(signature, jar.resolveSibling(jar.getFileName() + ".asc"));
            }
            return jar;
        }
        String url = BosunPage.field(request, "url");
        if (url == null || url.isBlank()) {
            throw BosunException.invalid("give a bundle jar to upload (with its signature) or the URL of one");
        }
        return download(url.strip(), dir);
    }

    private static Part part(HttpServletRequest request, String name) {
        String type = request.getContentType();
        if (type == null || !type.toLowerCase(java.util.Locale.ROOT).startsWith("multipart/")) {
            return null;
        }
        try {
            return request.getPart(name);
        } catch (IOException | ServletException | IllegalStateException e) {
            throw BosunException.invalid("the upload cannot be read: " + e.getMessage());
        }
    }

    private static void copy(Part part, Path target) {
        try (InputStream in = part.getInputStream()) {
            Files.copy(in, target);
        } catch (IOException e) {
            throw BosunException.precondition("cannot keep the upload " + part.getSubmittedFileName() + " in "
                    + target.getParent() + ": " + e.getMessage());
        }
    }

    /** The last segment of a name as a plain file name, else {@code bundle.jar}. */
    static String plainName(String given) {
        String name = given == null ? "" : given.substring(Math.max(given.lastIndexOf('/'), given.lastIndexOf('\\')) + 1);
        return PLAIN_NAME.matcher(name).matches() && !name.endsWith(".asc") ? name : "bundle.jar";
    }

    /** Downloads {@code url} and {@code url.asc} (when it exists) into {@code dir}. */
    static Path download(String url, Path dir) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (java.net.URISyntaxException e) {
            throw BosunException.invalid("bundle URL " + url + " is malformed: " + e.getReason()
                    + "; give an http or https URL of a bundle jar");
        }
        if (!"http".equalsIgnoreCase(uri.getScheme()) && !"https".equalsIgnoreCase(uri.getScheme())
                || uri.getHost() == null) {
            throw BosunException.invalid("bundle URL " + url + " is not an http or https URL; give the URL of a"
                    + " bundle jar, or upload the jar");
        }
        String path = uri.getPath() == null ? "" : uri.getPath();
        Path jar = dir.resolve(plainName(path));
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(20))
                .followRedirects(HttpClient.Redirect.NORMAL).build();
        if (!fetch(client, uri, jar, MAX_JAR_BYTES, url)) {
            throw BosunException.notFound("bundle URL " + url + " answers 404; give the URL of a bundle jar");
        }
        fetch(client, URI.create(uri + ".asc"), jar.resolveSibling(jar.getFileName() + ".asc"), MAX_SIGNATURE_BYTES,
                url + ".asc");
        return jar;
    }

    /** Fetches one file; false when the server says it has none (404). */
    private static boolean fetch(HttpClient client, URI uri, Path target, long max, String what) {
        try {
            HttpResponse<InputStream> response = client.send(HttpRequest.newBuilder(uri)
                    .timeout(Duration.ofMinutes(2)).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = response.body()) {
                if (response.statusCode() == 404) {
                    return false;
                }
                if (response.statusCode() != 200) {
                    throw BosunException.unavailable("cannot download " + what + ": the server answers "
                            + response.statusCode() + "; check the URL");
                }
                try (OutputStream out = Files.newOutputStream(target)) {
                    byte[] buffer = new byte[65536];
                    long total = 0;
                    for (int n; (n = in.read(buffer)) > 0; ) {
                        total += n;
                        if (total > max) {
                            throw BosunException.invalid(what + " is larger than " + max + " bytes; not downloaded");
                        }
                        out.write(buffer, 0, n);
                    }
                }
                return true;
            }
        } catch (IOException e) {
            throw BosunException.unavailable("cannot download " + what + ": " + e + "; check the URL and the network");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw BosunException.cancelled("interrupted while downloading " + what);
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // a temporary directory; the system's tmp cleaning takes what is left
        }
    }
}
