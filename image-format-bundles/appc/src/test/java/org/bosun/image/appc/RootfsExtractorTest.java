package org.bosun.image.appc;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.stream.Stream;

import org.bosun.host.archive.HostileContent;
import org.bosun.host.files.Scratch;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.bosun.api.BosunException;
import org.bosun.api.ErrorKind;
import org.bosun.api.InsecureOption;
import org.bosun.api.RuntimePaths;
import org.bosun.api.image.FetchOptions;
import org.bosun.api.image.ImageReference;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;

/**
 * Rendering an ACI's rootfs: what a good image keeps, and every entry that is refused as untrusted
 * input. After every test nothing exists in the scratch directory outside the image, the render
 * directory and the untouched "outside" directory.
 */
public class RootfsExtractorTest {
    private static final FetchOptions INSECURE_IMAGE =
            new FetchOptions(RuntimePaths.defaults(), EnumSet.of(InsecureOption.IMAGE), "new");
    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;

    @Rule
    public final Scratch scratch = new Scratch();

    private Path image;
    private Path rootfs;
    private Path outside;
    private Path secret;

    @Before
    public void layOut() throws IOException {
        image = scratch.root().resolve("images/x.aci");
        rootfs = Files.createDirectories(scratch.root().resolve("pod/apps/app/rootfs"));
        outside = Files.createDirectories(scratch.root().resolve("outside"));
        Files.setAttribute(outside, "unix:mode", 0755);
        secret = Files.writeString(outside.resolve("secret"), "host\n");
        Files.setAttribute(secret, "unix:mode", 0644);
    }

    @After
    public void nothingEscapedTheRenderDirectory() throws IOException {
        List<Path> strays = new ArrayList<>();
        try (Stream<Path> all = Files.walk(scratch.root())) {
            // images/ holds the image and the store (images/data) it is fetched into.
            all.filter(p -> !p.equals(scratch.root()) && !p.startsWith(image.getParent()) && !p.startsWith(rootfs)
                    && !rootfs.startsWith(p) && !p.equals(outside) && !p.equals(secret)).forEach(strays::add);
        }
        assertEquals("files outside the render directory", List.of(), strays);
        assertEquals("host\n", Files.readString(secret));
        assertEquals("links to the outside file", 1, Files.getAttribute(secret, "unix:nlink", NOFOLLOW));
        assertEquals("mode of the outside directory", 0755, mode(outside));
        assertEquals("mode of the outside file", 0644, mode(secret));
        assertEquals("owner of the outside file", 0, uid(secret));
    }

    private StoreFixture.Fetched open() {
        return new StoreFixture(scratch.root().resolve("images/data")).fetch(new AciFormat(), image, INSECURE_IMAGE);
    }

    private void render(Aci aci) throws IOException {
        aci.writeTo(image);
        open().render(rootfs);
    }

    /**
     * An ACI that must be refused: by its fetch, which leaves nothing in the store (issue 12 item 9),
     * and again by rendering it, the second line for images an older bosun stored; each error names
     * the image and the entry.
     */
    private BosunException refused(Aci aci, String entryName) throws IOException {
        aci.writeTo(image);
        return refused(entryName);
    }

    /** As {@link #refused(Aci, String)}, for the image already written. */
    private BosunException refused(String entryName) throws IOException {
        StoreFixture fixture = new StoreFixture(scratch.root().resolve("images/data"));
        assertOneLineNaming(entryName, assertThrows(BosunException.class,
                () -> fixture.fetch(new AciFormat(), image, INSECURE_IMAGE)));
        assertEquals("the refused fetch left nothing in the store", List.of(), fixture.contents());
        BosunException e = assertThrows(BosunException.class,
                () -> new RootfsExtractor(new AciArchive(image), rootfs).extract());
        assertOneLineNaming(entryName, e);
        return e;
    }

    private void assertOneLineNaming(String entryName, BosunException e) {
        assertEquals(e.getMessage(), ErrorKind.INVALID_ARGUMENT, e.kind());
        assertTrue("names the image: " + e.getMessage(), e.getMessage().contains(image.toString()));
        assertTrue("names the entry " + entryName + ": " + e.getMessage(), e.getMessage().contains(entryName));
        assertFalse("one line: " + e.getMessage(), e.getMessage().contains("\n"));
    }

    private static int mode(Path p) throws IOException {
        return (Integer) Files.getAttribute(p, "unix:mode", NOFOLLOW) & 07777;
    }

    private static int uid(Path p) throws IOException {
        return (Integer) Files.getAttribute(p, "unix:uid", NOFOLLOW);
    }

    private static int gid(Path p) throws IOException {
        return (Integer) Files.getAttribute(p, "unix:gid", NOFOLLOW);
    }

    private static Aci goodImage(String prefix) {
        String r = prefix + "rootfs/";
        return new Aci().file(prefix + "manifest", Aci.manifestJson("example.com/good"))
                .dir(prefix + "rootfs", 0755, 0, 0)
                .dir(r + "bin", 0755, 0, 0)
                .file(r + "bin/busybox", "#!busybox\n".getBytes(StandardCharsets.UTF_8), 0755, 0, 0)
                .symlink(r + "bin/sh", "busybox")
                .hardLink(r + "bin/ls", r + "bin/busybox")
                .dir(r + "usr", 0755, 0, 0).dir(r + "usr/bin", 0755, 0, 0)
                .file(r + "usr/bin/passwd", "pw".getBytes(StandardCharsets.UTF_8), 04755, 1000, 1000)
                .file(r + "usr/bin/wall", "wall".getBytes(StandardCharsets.UTF_8), 02755, 0, 5)
                .dir(r + "home", 0755, 0, 0)
                .dir(r + "home/user", 0700, 1000, 1001)
                .file(r + "home/user/notes", "mine".getBytes(StandardCharsets.UTF_8), 0600, 1000, 1001)
                .dir(r + "etc", 0755, 0, 0)
                .symlink(r + "etc/localtime", "/usr/share/zoneinfo/UTC", 1000, 1001)
                .dir(r + "ro", 0555, 0, 0)
                .file(r + "ro/file", "ro".getBytes(StandardCharsets.UTF_8), 0444, 0, 0)
                .dir(r + "tmp", 01777, 0, 0);
    }

    private void assertGoodImageRendered() throws IOException {
        Path busybox = rootfs.resolve("bin/busybox");
        assertEquals("#!busybox\n", Files.readString(busybox));
        assertEquals(0755, mode(busybox));
        assertEquals(Aci.MTIME, Files.getLastModifiedTime(busybox).toInstant());

        assertTrue(Files.isSymbolicLink(rootfs.resolve("bin/sh")));
        assertEquals(Path.of("busybox"), Files.readSymbolicLink(rootfs.resolve("bin/sh")));

        Path ls = rootfs.resolve("bin/ls");
        assertFalse(Files.isSymbolicLink(ls));
        assertEquals("a hard link shares the inode", Files.getAttribute(busybox, "unix:ino"),
                Files.getAttribute(ls, "unix:ino"));
        assertEquals(2, Files.getAttribute(busybox, "unix:nlink"));

        Path passwd = rootfs.resolve("usr/bin/passwd");
        assertEquals("setuid kept after chown", 04755, mode(passwd));
        assertEquals(1000, uid(passwd));
        assertEquals(1000, gid(passwd));
        assertEquals("setgid kept", 02755, mode(rootfs.resolve("usr/bin/wall")));
        assertEquals(5, gid(rootfs.resolve("usr/bin/wall")));

        Path home = rootfs.resolve("home/user");
        assertEquals(0700, mode(home));
        assertEquals(1000, uid(home));
        assertEquals(1001, gid(home));
        assertEquals(0600, mode(home.resolve("notes")));
        assertEquals(1001, gid(home.resolve("notes")));

        Path localtime = rootfs.resolve("etc/localtime");
        assertEquals(Path.of("/usr/share/zoneinfo/UTC"), Files.readSymbolicLink(localtime));
        assertEquals("a symlink's own owner", 1000, uid(localtime));
        assertEquals(1001, gid(localtime));

        assertEquals(0555, mode(rootfs.resolve("ro")));
        assertEquals("ro", Files.readString(rootfs.resolve("ro/file")));
        assertEquals(0444, mode(rootfs.resolve("ro/file")));
        assertEquals(01777, mode(rootfs.resolve("tmp")));

        assertFalse("the manifest is not part of the rootfs", Files.exists(rootfs.resolve("manifest")));
    }

    @Test
    public void extractsAGoodImageKeepingOwnersModesSymlinksAndHardLinks() throws IOException {
        render(goodImage(""));
        assertGoodImageRendered();
    }

    @Test
    public void extractsEveryCompressionVariant() throws IOException {
        for (Aci.Compression c : Aci.Compression.values()) {
            Scratch.deleteTree(rootfs);
            Files.createDirectories(rootfs);
            goodImage("").writeTo(image, c);
            open().render(rootfs);
            assertGoodImageRendered();
        }
    }

    @Test
    public void extractsAnArchiveWhoseNamesStartWithDotSlash() throws IOException {
        render(goodImage("./"));
        assertGoodImageRendered();
    }

    @Test
    public void extractsFilesWhoseDirectoriesHaveNoEntryOfTheirOwn() throws IOException {
        render(Aci.minimal().file("rootfs/a/b/c", "deep"));
        assertEquals("deep", Files.readString(rootfs.resolve("a/b/c")));
    }

    @Test
    public void ignoresEntriesBesideManifestAndRootfs() throws IOException {
        render(Aci.minimal().file("README", "not part of the image").file("rootfs/x", "x"));
        assertEquals("x", Files.readString(rootfs.resolve("x")));
        assertFalse(Files.exists(rootfs.resolve("README")));
    }

    @Test
    public void replacesASymlinkWithALaterFileInsteadOfWritingThroughIt() throws IOException {
        render(Aci.minimal().symlink("rootfs/f", secret.toString()).file("rootfs/f", "from the image"));
        assertFalse(Files.isSymbolicLink(rootfs.resolve("f")));
        assertEquals("from the image", Files.readString(rootfs.resolve("f")));
    }

    @Test
    public void replacesASymlinkWithALaterDirectoryInsteadOfFollowingIt() throws IOException {
        render(Aci.minimal().symlink("rootfs/d", outside.toString()).dir("rootfs/d", 0700, 0, 0));
        assertTrue(Files.isDirectory(rootfs.resolve("d"), NOFOLLOW));
        assertEquals(0700, mode(rootfs.resolve("d")));
    }

    @Test
    public void keepsAnAbsoluteSymlinkBecauseItResolvesInsideThePodAtRunTime() throws IOException {
        render(Aci.minimal().symlink("rootfs/passwd", "/etc/passwd"));
        assertEquals(Path.of("/etc/passwd"), Files.readSymbolicLink(rootfs.resolve("passwd")));
    }

    @Test
    public void keepsARelativeSymlinkThatStaysInside() throws IOException {
        render(Aci.minimal().dir("rootfs/a", 0755, 0, 0).dir("rootfs/a/b", 0755, 0, 0)
                .symlink("rootfs/a/b/up", "../../etc"));
        assertEquals(Path.of("../../etc"), Files.readSymbolicLink(rootfs.resolve("a/b/up")));
    }

    // ---- refused entries ----

    @Test
    public void refusesAnEntryThatClimbsOutWithDotDot() throws IOException {
        refused(Aci.minimal().file("rootfs/../../escape", "gotcha"), "rootfs/../../escape");
        assertFalse(Files.exists(rootfs.getParent().getParent().resolve("escape"), NOFOLLOW));
    }

    @Test
    public void refusesADirectoryThatClimbsOutWithDotDot() throws IOException {
        refused(Aci.minimal().dir("rootfs/../../../escaped", 0755, 0, 0), "rootfs/../../../escaped");
    }

    @Test
    public void refusesAnEntryThatClimbsOutAfterDescending() throws IOException {
        refused(Aci.minimal().dir("rootfs/a", 0755, 0, 0).file("rootfs/a/../../x", "x"), "rootfs/a/../../x");
    }

    @Test
    public void refusesDotDotEvenWhenTheNameStaysInside() throws IOException {
        // The rule OCI layers always had: no '..' in a name at all (this ACI was extracted before).
        refused(Aci.minimal().dir("rootfs/a", 0755, 0, 0).file("rootfs/a/../b", "b"), "rootfs/a/../b");
        assertFalse(Files.exists(rootfs.resolve("b"), NOFOLLOW));
    }

    @Test
    public void refusesWritingThroughALinkOfTheSameImageEvenWhenItStaysInside() throws IOException {
        refused(Aci.minimal().dir("rootfs/sub", 0755, 0, 0).symlink("rootfs/l", "sub").file("rootfs/l/x", "x"),
                "rootfs/l/x");
        assertFalse(Files.exists(rootfs.resolve("sub/x"), NOFOLLOW));
    }

    @Test
    public void followsTheLinksOfADependencyRenderedBelowInsideTheRootfs() throws IOException {
        // As OCI layers do: the image's entries go through its dependencies' links, inside the rootfs
        // (refused before, when the two formats had two rules).
        Path dependency = Aci.minimal().dir("rootfs/usr/lib", 0755, 0, 0).symlink("rootfs/lib", "/usr/lib")
                .symlink("rootfs/d", outside.toString()).writeTo(image.resolveSibling("dependency.aci"));
        Path app = Aci.minimal().file("rootfs/lib/libx.so", "so").file("rootfs/d/x", "inside")
                .writeTo(image.resolveSibling("app.aci"));
        new RootfsExtractor(new AciArchive(dependency), rootfs).extract();
        new RootfsExtractor(new AciArchive(app), rootfs).extract();
        assertEquals("so", Files.readString(rootfs.resolve("usr/lib/libx.so")));
        assertEquals("inside", Files.readString(rootfs.resolve(outside.toString().substring(1)).resolve("x")));
        assertFalse(Files.exists(outside.resolve("x"), NOFOLLOW));
    }

    @Test
    public void refusesAnAbsoluteNameInsideRootfs() throws IOException {
        refused(Aci.minimal().file("rootfs//etc/x", "x"), "rootfs//etc/x");
    }

    @Test
    public void refusesAnAbsoluteEntryName() throws IOException {
        String name = outside.resolve("x").toString();
        refused(Aci.minimal().file(name, "x"), name);
    }

    @Test
    public void refusesAnAbsoluteRootfsEntryName() throws IOException {
        refused(Aci.minimal().file("/rootfs/etc/x", "x"), "/rootfs/etc/x");
    }

    @Test
    public void refusesARelativeSymlinkThatClimbsOut() throws IOException {
        refused(Aci.minimal().symlink("rootfs/a", "../../../etc"), "rootfs/a");
        assertFalse(Files.exists(rootfs.resolve("a"), NOFOLLOW));
    }

    @Test
    public void refusesARelativeSymlinkThatClimbsOutThroughAnotherSymlink() throws IOException {
        refused(Aci.minimal().dir("rootfs/x", 0755, 0, 0).symlink("rootfs/x/up", "..")
                .symlink("rootfs/a", "x/up/.."), "rootfs/a");
    }

    @Test
    public void refusesAFileWrittenThroughASymlinkedDirectory() throws IOException {
        refused(Aci.minimal().symlink("rootfs/d", outside.toString()).file("rootfs/d/x", "gotcha"), "rootfs/d/x");
        assertFalse(Files.exists(outside.resolve("x"), NOFOLLOW));
    }

    @Test
    public void refusesAFileWrittenThroughASymlinkedDirectoryToTmp() throws IOException {
        String name = "bosun-test-" + java.util.UUID.randomUUID();
        Path victim = Path.of("/tmp", name);
        try {
            refused(Aci.minimal().symlink("rootfs/d", "/tmp").file("rootfs/d/" + name, "gotcha"), "rootfs/d/" + name);
            assertFalse(Files.exists(victim, NOFOLLOW));
        } finally {
            Files.deleteIfExists(victim);
        }
    }

    @Test
    public void refusesADirectoryCreatedThroughASymlinkedDirectory() throws IOException {
        refused(Aci.minimal().symlink("rootfs/d", outside.toString()).dir("rootfs/d/sub", 0755, 0, 0), "rootfs/d/sub");
        assertFalse(Files.exists(outside.resolve("sub"), NOFOLLOW));
    }

    @Test
    public void refusesAFileWrittenThroughANestedSymlinkedDirectory() throws IOException {
        refused(Aci.minimal().dir("rootfs/a", 0755, 0, 0).symlink("rootfs/a/d", outside.toString())
                .file("rootfs/a/d/deeper/x", "gotcha"), "rootfs/a/d/deeper/x");
        assertFalse(Files.exists(outside.resolve("deeper"), NOFOLLOW));
    }

    @Test
    public void refusesAHardLinkToAFileOutsideRootfs() throws IOException {
        refused(Aci.minimal().hardLink("rootfs/h", secret.toString()), "rootfs/h");
        assertFalse(Files.exists(rootfs.resolve("h"), NOFOLLOW));
    }

    @Test
    public void refusesAHardLinkToTheManifest() throws IOException {
        refused(Aci.minimal().hardLink("rootfs/h", "manifest"), "rootfs/h");
    }

    @Test
    public void refusesAHardLinkThatClimbsOutOfRootfs() throws IOException {
        String target = "rootfs/" + rootfs.relativize(secret);
        refused(Aci.minimal().hardLink("rootfs/h", target), "rootfs/h");
    }

    @Test
    public void refusesAHardLinkToASymlinkThatLeadsOutside() throws IOException {
        refused(Aci.minimal().symlink("rootfs/s", secret.toString()).hardLink("rootfs/h", "rootfs/s"), "rootfs/h");
    }

    @Test
    public void refusesAHardLinkThroughASymlinkedDirectory() throws IOException {
        refused(Aci.minimal().symlink("rootfs/d", outside.toString()).hardLink("rootfs/h", "rootfs/d/secret"),
                "rootfs/h");
    }

    @Test
    public void refusesACharacterDevice() throws IOException {
        refused(Aci.minimal().special("rootfs/null", TarConstants.LF_CHR), "rootfs/null");
        assertFalse(Files.exists(rootfs.resolve("null"), NOFOLLOW));
    }

    @Test
    public void refusesABlockDevice() throws IOException {
        refused(Aci.minimal().special("rootfs/sda", TarConstants.LF_BLK), "rootfs/sda");
        assertFalse(Files.exists(rootfs.resolve("sda"), NOFOLLOW));
    }

    @Test
    public void refusesAFifo() throws IOException {
        refused(Aci.minimal().special("rootfs/pipe", TarConstants.LF_FIFO), "rootfs/pipe");
        assertFalse(Files.exists(rootfs.resolve("pipe"), NOFOLLOW));
    }

    @Test
    public void refusesEveryHostileImageAtFetchAndAgainAtRender() throws IOException {
        Files.createDirectories(image.getParent());
        for (HostileContent hostile : HostileContent.forAci()) {
            Files.write(image, hostile.aci("example.com/hostile").bytes());
            refused(hostile.entry("rootfs/"));
        }
    }

    @Test
    public void refusesARootfsThatIsASymbolicLink() throws IOException {
        // issue 12 item 10: it passed, and the pod failed later inside catatonit.
        refused(new Aci().manifest(Aci.manifestJson("example.com/linked")).symlink("rootfs", "/"), "rootfs");
    }

    @Test
    public void refusesDevAsASymbolicLink() throws IOException {
        refused(Aci.minimal().symlink("rootfs/dev", "/tmp"), "rootfs/dev");
    }

    @Test
    public void refusesEtcPasswdLinkedOutOfTheRootfs() throws IOException {
        refused(Aci.minimal().dir("rootfs/etc", 0755, 0, 0).symlink("rootfs/etc/passwd", "../../../../etc/passwd"),
                "rootfs/etc/passwd");
    }

    @Test
    public void refusesADownloadWhoseEntriesAreRefusedAndStoresNothing() throws Exception {
        byte[] aci = Files.readAllBytes(Aci.minimal().symlink("rootfs/d", "/tmp").file("rootfs/d/x", "x").writeTo(image));
        try (ImageServer server = ImageServer.serving("/x.aci", aci)) {
            StoreFixture fixture = new StoreFixture(scratch.root().resolve("images/data"));
            FetchOptions http = new FetchOptions(RuntimePaths.defaults(),
                    EnumSet.of(InsecureOption.IMAGE, InsecureOption.HTTP), "new");
            BosunException e = assertThrows(BosunException.class, () -> fixture.fetch(new AciFormat(),
                    ImageReference.parse(server.url("/x.aci"), Path.of("/")), http));
            assertTrue(e.getMessage(), e.getMessage().contains("image " + server.url("/x.aci") + " is refused: entry"
                    + " rootfs/d/x would be written through the symbolic link d"));
            assertEquals("the refused download left nothing in the store", List.of(), fixture.contents());
        }
    }

    @Test
    public void rendersTheSameTreeTwiceFromOneStoredImage() throws IOException {
        goodImage("").writeTo(image);
        StoreFixture.Fetched source = open();
        source.render(rootfs);
        Scratch.deleteTree(rootfs);
        Files.createDirectories(rootfs);
        source.render(rootfs);
        assertGoodImageRendered();
        assertArrayEquals("#!busybox\n".getBytes(StandardCharsets.UTF_8), Files.readAllBytes(rootfs.resolve("bin/ls")));
    }
}
