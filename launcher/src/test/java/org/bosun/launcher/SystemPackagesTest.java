package org.bosun.launcher;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.bosun.command.protocol.Wire;
import org.junit.Test;

/**
 * The system bundle exports the command protocol from the launcher's class path at the version it
 * names; the cli and the agent import it at the version the bundle was built with. A package
 * version bumped in the bundle but not here would leave the cli unresolved in every in-process
 * command, so the two are compared against the bundle's own manifest.
 */
public class SystemPackagesTest {
    private static final String PACKAGE = Wire.class.getPackageName();

    @Test
    public void theCommandProtocolIsExportedAtTheVersionItsBundleDeclares() throws Exception {
        Matcher bundle = Pattern.compile(Pattern.quote(PACKAGE) + ";[^,]*version=\"?([0-9.]+)\"?")
                .matcher(exportPackage(Path.of(Wire.class.getProtectionDomain().getCodeSource().getLocation().toURI())));
        assertTrue("the command protocol bundle exports " + PACKAGE, bundle.find());
        String exported = Assembly.SYSTEM_PACKAGES.stream().filter(p -> p.startsWith(PACKAGE + ";")).findFirst()
                .orElseThrow(() -> new AssertionError("the system bundle does not export " + PACKAGE));
        assertEquals(PACKAGE + ";version=" + bundle.group(1), exported);
    }

    /** The Export-Package header of a bundle jar or of a classes folder bnd wrote a manifest into. */
    private static String exportPackage(Path location) throws IOException {
        Manifest manifest;
        if (Files.isDirectory(location)) {
            try (InputStream in = Files.newInputStream(location.resolve("META-INF/MANIFEST.MF"))) {
                manifest = new Manifest(in);
            }
        } else {
            try (JarFile jar = new JarFile(location.toFile())) {
                manifest = jar.getManifest();
            }
        }
        String header = manifest.getMainAttributes().getValue("Export-Package");
        assertTrue("no Export-Package in the manifest of " + location, header != null);
        return header;
    }
}
