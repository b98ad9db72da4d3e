package org.bosun.image.oci.layers;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.bosun.api.BosunException;
import org.bosun.api.ErrorKind;
import org.bosun.host.files.Scratch;
import org.bosun.host.archive.Tar;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;

/**
 * Applying tar layers: what a good image keeps, how whiteouts hide lower layers, and every entry
 * that is refused as untrusted input. After each test nothing outside the tree was touched.
 */
public class LayerRendererTest {
    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;
    private static final String IMAGE = "image docker://127.0.0.1:5000/test/evil:1";

    @Rule
    public final Scratch scratch = new Scratch();

    private Path tree;
    private Path outside;
    private Path secret;

    @Before
    public void layOut() throws IOException {
        tree = Files.createDirectories(scratch.root().resolve("tree"));
        outside = Files.createDirectories(scratch.root().resolve("outside"));
        secret = Files.writeString(outside.resolve("secret"), "host\n");
    }

    @After
    public void nothingOutsideTheTreeChanged() throws IOException {
        List<Path> strays = new ArrayList<>();
        try (Stream<Path> all = Files.walk(scratch.root())) {
            all.filter(p -> !p.equals(scratch.root()) && !p.startsWith(tree) && !p.equals(outside) && !p.equals(secret))
                    .forEach(strays::add);
        }
        assertEquals("files outside the tree", List.of(), strays);
        assertEquals("host\n", Files.readString(secret));
        assertEquals("links to the outside file", 1, Files.getAttribute(secret, "unix:nlink", NOFOLLOW));
    }

    private void apply(LayerRenderer renderer, String layer, byte[] bytes) {
        renderer.apply(layer, new ByteArrayInputStream(bytes));
    }

    private void apply(Tar... layers) {
        LayerRenderer renderer = new LayerRenderer(IMAGE, tree);
        for (int i = 0; i < layers.length; i++) {
            apply(renderer, "sha256:layer" + i, i % 2 == 0 ? layers[i].gzipped() : layers[i].bytes());
        }
    }

    private BosunException refused(String entry, Tar... layers) {
        BosunException e = assertThrows(BosunException.class, () -> apply(layers));
        assertEquals(e.getMessage(), ErrorKind.INVALID_ARGUMENT, e.kind());
        assertTrue("names the image: " + e.getMessage(), e.getMessage().contains(IMAGE));
        assertTrue("names the entry " + entry + ": " + e.getMessage(), e.getMessage().contains(entry));
        assertFalse("one line: " + e.getMessage(), e.getMessage().contains("\n"));
        return e;
    }

    @Test
    public void appliesFilesDirectoriesLinksOwnersAndModes() throws IOException {
        apply(new Tar().dir("bin", 0755).file("bin/busybox", "#!bb", 04755, 0, 0).symlink("bin/sh", "busybox")
                .hardLink("bin/ls", "bin/busybox").dir("home/user", 0700).file("home/user/notes", "n", 0600, 1000, 1001));
        assertEquals("#!bb", Files.readString(tree.resolve("bin/busybox")));
        assertEquals(04755, (Integer) Files.getAttribute(tree.resolve("bin/busybox"), "unix:mode") & 07777);
        assertEquals(Path.of("busybox"), Files.readSymbolicLink(tree.resolve("bin/sh")));
        assertEquals(2, Files.getAttribute(tree.resolve("bin/ls"), "unix:nlink"));
        assertEquals(1000, Files.getAttribute(tree.resolve("home/user/notes"), "unix:uid"));
        assertEquals(1001, Files.getAttribute(tree.resolve("home/user/notes"), "unix:gid"));
        assertEquals(0700, (Integer) Files.getAttribute(tree.resolve("home/user"), "unix:mode") & 07777);
    }

    @Test
    public void aWhiteoutRemovesWhatALowerLayerMade() {
        apply(new Tar().file("etc/motd", "hi").dir("var/cache", 0755).file("var/cache/a", "a"),
                new Tar().file("etc/.wh.motd", "").file("var/.wh.cache", ""));
        assertFalse(Files.exists(tree.resolve("etc/motd"), NOFOLLOW));
        assertFalse(Files.exists(tree.resolve("var/cache"), NOFOLLOW));
        assertFalse("whiteout files themselves are not rendered", Files.exists(tree.resolve("etc/.wh.motd"), NOFOLLOW));
    }

    @Test
    public void anOpaqueDirectoryHidesTheLowerLayersButKeepsItsOwnLayersEntries() {
        apply(new Tar().file("opt/old", "old").file("opt/sub/deep", "deep"),
                new Tar().file("opt/new", "new").file("opt/.wh..wh..opq", "").file("opt/sub/mine", "m"));
        assertTrue(Files.exists(tree.resolve("opt/new")));
        assertTrue(Files.exists(tree.resolve("opt/sub/mine")));
        assertFalse(Files.exists(tree.resolve("opt/old"), NOFOLLOW));
        assertFalse(Files.exists(tree.resolve("opt/sub/deep"), NOFOLLOW));
    }

    @Test
    public void aLaterLayerReplacesAFileByADirectoryAndBack() {
        apply(new Tar().file("x", "file"), new Tar().dir("x", 0755).file("x/y", "y"), new Tar().file("x", "again"));
        assertTrue(Files.isRegularFile(tree.resolve("x"), NOFOLLOW));
    }

    @Test
    public void pathsBelowAnAbsoluteLinkResolveInsideTheTree() throws IOException {
        // lib -> /usr/lib: a later entry lib/x lands in the tree's usr/lib, never in the host's /usr/lib.
        apply(new Tar().dir("usr/lib", 0755).symlink("lib", "/usr/lib"), new Tar().file("lib/libbosun-test.so", "so"));
        assertEquals("so", Files.readString(tree.resolve("usr/lib/libbosun-test.so")));
        assertFalse(Files.exists(Path.of("/usr/lib/libbosun-test.so")));
    }

    @Test
    public void aLinkToTheRootKeepsWritesInsideTheTree() throws IOException {
        apply(new Tar().symlink("hostroot", "/"), new Tar().file("hostroot/" + outside.toString().substring(1) + "/secret", "pwned"));
        assertEquals("host\n", Files.readString(secret));
        assertEquals("pwned", Files.readString(tree.resolve(outside.toString().substring(1) + "/secret")));
    }

    @Test
    public void refusesAnEntryThatClimbsOut() {
        refused("../outside/secret", new Tar().raw("../outside/secret", "pwned"));
    }

    @Test
    public void refusesAnAbsoluteEntry() {
        refused(secret.toString(), new Tar().raw(secret.toString(), "pwned"));
    }

    @Test
    public void refusesASymlinkThatClimbsOutAndSoAnyWriteThroughIt() {
        BosunException e = refused("escape", new Tar().symlink("escape", "../outside"), new Tar().file("escape/secret", "pwned"));
        assertTrue(e.getMessage(), e.getMessage().contains("outside the image"));
    }

    @Test
    public void refusesWritingThroughALinkOfTheSameLayer() {
        // The rule ACIs always had: a layer never writes through a link it made itself (this layer
        // was rendered inside the tree before); links of the layers below are followed, as above.
        BosunException e = refused("l/x", new Tar().dir("sub", 0755).symlink("l", "sub").file("l/x", "x"));
        assertTrue(e.getMessage(), e.getMessage().contains("would be written through the symbolic link l"));
        assertFalse(Files.exists(tree.resolve("sub/x"), NOFOLLOW));
    }

    @Test
    public void refusesARelativeLinkThatClimbsOutThroughAnotherLink() {
        // x/up and a each stay inside read as written; followed on the tree, a leaves it (as ACIs check).
        BosunException e = refused("a", new Tar().dir("x", 0755).symlink("x/up", "..").symlink("a", "x/up/.."));
        assertTrue(e.getMessage(), e.getMessage().contains("leads outside the image"));
    }

    @Test
    public void aLinkThroughAMissingDirectoryAndBackLeadsNoWriteOutside() throws IOException {
        // l -> missing/../esc, esc -> the outside: the renderer once took what followed a missing
        // directory as written, so a later layer's l/pwned was written through esc onto the host.
        apply(new Tar().symlink("esc", outside.toString()).symlink("l", "missing/../esc"), new Tar().file("l/pwned", "x"));
        assertFalse(Files.exists(outside.resolve("pwned"), NOFOLLOW));
        assertEquals("x", Files.readString(tree.resolve(outside.toString().substring(1)).resolve("pwned")));
    }

    @Test
    public void refusesAWhiteoutOfNoName() {
        for (String whiteout : java.util.List.of("a/.wh.", "a/.wh..", "a/.wh...")) {
            BosunException e = refused(whiteout, new Tar().file("keep", "k").file("a/x", "x"), new Tar().file(whiteout, ""));
            assertTrue(e.getMessage(), e.getMessage().contains("whiteout of no name"));
            assertTrue(Files.exists(tree.resolve("keep")));
            assertTrue(Files.exists(tree.resolve("a/x")));
        }
    }

    @Test
    public void refusesAHardLinkToAFileOutsideTheTree() {
        refused("stolen", new Tar().hardLink("stolen", secret.toString()));
        refused("stolen2", new Tar().hardLink("stolen2", "../outside/secret"));
    }

    @Test
    public void refusesAHardLinkToAFileNotInTheImage() {
        BosunException e = refused("bin/ls", new Tar().hardLink("bin/ls", "bin/busybox"));
        assertTrue(e.getMessage(), e.getMessage().contains("not a file of the image"));
    }

    @Test
    public void refusesDeviceNodesSayingWhy() {
        BosunException e = refused("dev/mem", new Tar().dir("dev", 0755).device("dev/mem"));
        assertTrue(e.getMessage(), e.getMessage().contains("device node"));
        assertTrue(e.getMessage(), e.getMessage().contains("rootless podman"));
    }

    @Test
    public void refusesFifos() {
        refused("run/pipe", new Tar().fifo("run/pipe"));
    }

    @Test
    public void refusesTooManyEntries() {
        Tar many = new Tar();
        for (int i = 0; i < 11; i++) {
            many.file("f" + i, "x");
        }
        BosunException e = assertThrows(BosunException.class,
                () -> new LayerRenderer(IMAGE, tree, 10, 1 << 20).apply("sha256:big", new ByteArrayInputStream(many.bytes())));
        assertTrue(e.getMessage(), e.getMessage().contains("f10") && e.getMessage().contains("10 entries"));
    }

    @Test
    public void refusesTooManyBytes() {
        BosunException e = assertThrows(BosunException.class, () -> new LayerRenderer(IMAGE, tree, 10, 4)
                .apply("sha256:big", new ByteArrayInputStream(new Tar().file("big", "12345").bytes())));
        assertTrue(e.getMessage(), e.getMessage().contains("big") && e.getMessage().contains("4 bytes"));
    }

    @Test
    public void refusesALayerThatIsNoTar() {
        BosunException e = assertThrows(BosunException.class,
                () -> new LayerRenderer(IMAGE, tree).apply("sha256:junk", new ByteArrayInputStream(new byte[] {0x1f, (byte) 0x8b, 1, 2})));
        assertTrue(e.getMessage(), e.getMessage().contains("sha256:junk"));
    }
}
