package org.bosun.extensions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.regex.Pattern;

import org.bosun.api.BosunException;
import org.osgi.framework.Version;

/**
 * An extension bundle's jar as a user gives it: its symbolic name and version from the manifest,
 * read before anything is installed, and the vendor whose keys may sign it.
 *
 * <p>The vendor is the symbolic name's first two segments, lower case: {@code com.example} for
 * {@code com.example.stage1.bwrap} (a symbolic name of one segment is its own vendor). A reverse
 * domain name is something a vendor owns and the framework checks (one bundle per symbolic name);
 * the free-text {@code Bundle-Vendor} header is neither. So {@code bosun trust --prefix=bundle/com.example}
 * trusts a key for that vendor's bundles, and {@code --prefix=bundle} for every bundle.
 */
record BundleJar(Path file, String symbolicName, Version version) {
    /** A Bundle-SymbolicName as OSGi allows it (letters, digits, '_', '-', '.' separated). */
    private static final Pattern SYMBOLIC_NAME = Pattern.compile("[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*");

    static BundleJar read(Path file) {
        if (!Files.isRegularFile(file)) {
            if (!Files.exists(file)) {
                throw BosunException.notFound("bundle " + file + " does not exist; give the path of a bundle jar");
            }
            throw BosunException.invalid("bundle " + file + " is not a file; give the path of a bundle jar");
        }
        Manifest manifest;
        try (JarFile jar = new JarFile(file.toFile())) {
            manifest = jar.getManifest();
        } catch (NoSuchFileException e) {
            throw BosunException.notFound("bundle " + file + " does not exist; give the path of a bundle jar");
        } catch (IOException | SecurityException e) {
            throw BosunException.invalid("bundle " + file + " is not a jar (" + e.getMessage()
                    + "); give an OSGi bundle jar");
        }
        if (manifest == null) {
            throw BosunException.invalid("bundle " + file + " has no META-INF/MANIFEST.MF; it is not an OSGi bundle");
        }
        String header = manifest.getMainAttributes().getValue("Bundle-SymbolicName");
        if (header == null || header.isBlank()) {
            throw BosunException.invalid("bundle " + file + " has no Bundle-SymbolicName in its manifest; it is not"
                    + " an OSGi bundle (build it with bnd or add the header)");
        }
        String name = header.split(";", 2)[0].trim();
        if (!SYMBOLIC_NAME.matcher(name).matches()) {
            throw BosunException.invalid("bundle " + file + " has the malformed Bundle-SymbolicName '" + name
                    + "'; use letters, digits, '_' and '-' in dot-separated segments");
        }
        String versionHeader = manifest.getMainAttributes().getValue("Bundle-Version");
        Version version;
        try {
            version = versionHeader == null ? Version.emptyVersion : Version.parseVersion(versionHeader.trim());
        } catch (IllegalArgumentException e) {
            throw BosunException.invalid("bundle " + file + " has the malformed Bundle-Version '" + versionHeader
                    + "'; use MAJOR.MINOR.MICRO[.QUALIFIER]");
        }
        return new BundleJar(file, name, version);
    }

    /** The vendor: the symbolic name's first two segments, lower case. */
    static String vendorOf(String symbolicName) {
        String[] segments = symbolicName.toLowerCase(Locale.ROOT).split("\\.");
        return segments.length < 2 ? segments[0] : segments[0] + "." + segments[1];
    }

    String vendor() {
        return vendorOf(symbolicName);
    }

    /** The name the trust store selects keys by: {@code bundle/VENDOR}. */
    String trustName() {
        return "bundle/" + vendor();
    }

    /** The file name the jar gets in the data directory's bundles/. */
    String storedFileName() {
        return symbolicName + "-" + version + ".jar";
    }
}
