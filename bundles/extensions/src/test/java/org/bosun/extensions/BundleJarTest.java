package org.bosun.extensions;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import org.bosun.api.BosunException;
import org.bosun.api.ErrorKind;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.osgi.framework.Version;

/** What {@code bosun bundle install} reads from a jar before it installs anything. */
public class BundleJarTest {
    @Rule
    public final TemporaryFolder tmp = new TemporaryFolder();

    private Path jar(String symbolicName, String version) throws Exception {
        Path file = tmp.newFile().toPath();
        Manifest m = new Manifest();
        m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        if (symbolicName != null) {
            m.getMainAttributes().putValue("Bundle-SymbolicName", symbolicName);
        }
        if (version != null) {
            m.getMainAttributes().putValue("Bundle-Version", version);
        }
        try (OutputStream out = Files.newOutputStream(file); JarOutputStream j = new JarOutputStream(out, m)) {
            j.flush();
        }
        return file;
    }

    @Test
    public void readsTheSymbolicNameWithoutItsDirectivesAndTheVersion() throws Exception {
        BundleJar jar = BundleJar.read(jar("com.example.engine.bwrap;singleton:=true", "2.1.0.beta"));
        assertEquals("com.example.engine.bwrap", jar.symbolicName());
        assertEquals(new Version(2, 1, 0, "beta"), jar.version());
        assertEquals("com.example.engine.bwrap-2.1.0.beta.jar", jar.storedFileName());
    }

    @Test
    public void theVendorIsTheFirstTwoSegmentsInLowerCase() {
        assertEquals("com.example", BundleJar.vendorOf("com.Example.engine.bwrap"));
        assertEquals("acme", BundleJar.vendorOf("acme"));
        assertEquals("bundle/org.bosun", new BundleJar(Path.of("x.jar"), "org.bosun.cli", Version.emptyVersion)
                .trustName());
    }

    @Test
    public void aBundleWithoutVersionIsAtZero() throws Exception {
        assertEquals(Version.emptyVersion, BundleJar.read(jar("com.example.x", null)).version());
    }

    @Test
    public void refusesAJarWithoutSymbolicName() throws Exception {
        BosunException e = assertThrows(BosunException.class, () -> BundleJar.read(jar(null, "1.0.0")));
        assertEquals(ErrorKind.INVALID_ARGUMENT, e.kind());
        assertTrue(e.getMessage(), e.getMessage().contains("no Bundle-SymbolicName"));
    }

    @Test
    public void refusesAFileThatIsNotAJar() throws Exception {
        Path text = tmp.newFile("notes.jar").toPath();
        Files.writeString(text, "hello\n");
        BosunException e = assertThrows(BosunException.class, () -> BundleJar.read(text));
        assertEquals(ErrorKind.INVALID_ARGUMENT, e.kind());
        assertTrue(e.getMessage(), e.getMessage().contains("is not a jar"));
    }

    @Test
    public void refusesAMalformedVersionAndAMissingFile() throws Exception {
        BosunException bad = assertThrows(BosunException.class, () -> BundleJar.read(jar("com.example.x", "one")));
        assertTrue(bad.getMessage(), bad.getMessage().contains("malformed Bundle-Version 'one'"));
        BosunException missing = assertThrows(BosunException.class,
                () -> BundleJar.read(tmp.getRoot().toPath().resolve("gone.jar")));
        assertEquals(ErrorKind.NOT_FOUND, missing.kind());
    }
}
