package org.bosun.host.archive;

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

import org.bosun.host.files.Scratch;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.bosun.api.BosunException;
import org.bosun.api.ErrorKind;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;

/**
 * Extracting crafted archives into a real tree, one after another as layers are: what a good
 * archive keeps, and every hostile entry refused. After each test nothing outside the tree changed.
 */
public class TarExtractionTest {
    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;

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

    /** Extracts the archives in order into the tree, each as one extraction (a layer). */
    private void extract(Tar... archives) throws IOException {
        for (int i = 0; i < archives.length; i++) {
            String archive = "archive" + i;
            TarExtraction extraction = new TarExtraction(tree, "", "tree",
                    (entry, reason) -> BosunException.invalid(archive + " is refused: entry " + entry + " " + reason));
            try (TarArchiveInputStream tar = new TarArchiveInputStream(new ByteArrayInputStream(archives[i].bytes()))) {
                TarArchiveEntry header;
                while ((header = tar.getNextEntry()) != null) {
                    TarEntry entry = extraction.check(header);
                    if (entry != null) {
                        extraction.write(tar, entry);
                    }
                }
            }
            extraction.finish();
        }
    }

    /** Extracts archives that must be refused; the one line names the entry and says {@code why}. */
    private BosunException refused(String entry, String why, Tar... archives) {
        BosunException e = assertThrows(BosunException.class, () -> extract(archives));
        assertEquals(e.getMessage(), ErrorKind.INVALID_ARGUMENT, e.kind());
        assertTrue("names the entry " + entry + ": " + e.getMessage(), e.getMessage().contains("entry " + entry + " "));
        assertTrue("says " + why + ": " + e.getMessage(), e.getMessage().contains(why));
        assertFalse("one line: " + e.getMessage(), e.getMessage().contains("\n"));
        return e;
    }

    private static int mode(Path p) throws IOException {
        return (Integer) Files.getAttribute(p, "unix:mode", NOFOLLOW) & 07777;
    }

    // ---- what a good archive keeps ----

    @Test
    public void keepsFilesDirectoriesLinksOwnersModesAndTimes() throws IOException {
        extract(new Tar().dir("bin", 0755).file("bin/busybox", "#!bb", 04755, 0, 0).symlink("bin/sh", "busybox")
                .hardLink("bin/ls", "bin/busybox").dir("home/user", 0700).file("home/user/notes", "n", 0600, 1000, 1001)
                .dir("ro", 0555).file("ro/file", "ro", 0444, 0, 0).symlink("etc/localtime", "/usr/share/zoneinfo/UTC"));
        Path busybox = tree.resolve("bin/busybox");
        assertEquals("#!bb", Files.readString(busybox));
        assertEquals("setuid kept after chown", 04755, mode(busybox));
        assertEquals(Tar.MTIME, Files.getLastModifiedTime(busybox).toInstant());
        assertEquals(Path.of("busybox"), Files.readSymbolicLink(tree.resolve("bin/sh")));
        assertEquals(Files.getAttribute(busybox, "unix:ino"), Files.getAttribute(tree.resolve("bin/ls"), "unix:ino"));
        assertEquals(1000, Files.getAttribute(tree.resolve("home/user/notes"), "unix:uid", NOFOLLOW));
        assertEquals(1001, Files.getAttribute(tree.resolve("home/user/notes"), "unix:gid", NOFOLLOW));
        assertEquals(0700, mode(tree.resolve("home/user")));
        assertEquals("a read-only directory gets its mode after it was filled", 0555, mode(tree.resolve("ro")));
        assertEquals(Tar.MTIME, Files.getLastModifiedTime(tree.resolve("ro")).toInstant());
        assertEquals(Path.of("/usr/share/zoneinfo/UTC"), Files.readSymbolicLink(tree.resolve("etc/localtime")));
    }

    @Test
    public void namesWithDotSlashAndDoubleSlashesAreTheSameEntries() throws IOException {
        extract(new Tar().file("./a//b/./c", "c"));
        assertEquals("c", Files.readString(tree.resolve("a/b/c")));
    }

    @Test
    public void aLaterEntryReplacesALinkInsteadOfWritingThroughIt() throws IOException {
        extract(new Tar().symlink("f", secret.toString()).file("f", "mine")
                .symlink("d", outside.toString()).dir("d", 0700).file("d/x", "inside"));
        assertEquals("mine", Files.readString(tree.resolve("f")));
        assertTrue(Files.isDirectory(tree.resolve("d"), NOFOLLOW));
        assertEquals("inside", Files.readString(tree.resolve("d/x")));
    }

    @Test
    public void aRelativeLinkReplacedByAFileIsNotCheckedAsALink() throws IOException {
        extract(new Tar().dir("x", 0755).symlink("x/up", "..").symlink("a", "x/up/..").file("a", "a file now"));
        assertEquals("a file now", Files.readString(tree.resolve("a")));
    }

    @Test
    public void keepsAChainOfLinksThatStaysInside() throws IOException {
        extract(new Tar().dir("c/d", 0755).symlink("b", "c/d").symlink("a", "b/..").symlink("up", "c/d/../.."));
        assertEquals(Path.of("b/.."), Files.readSymbolicLink(tree.resolve("a")));
    }

    // ---- the one rule for '..' and absolute names ----

    @Test
    public void refusesAnEntryThatClimbsOut() {
        refused("../outside/evil", "climbs out of the tree with '..'", new Tar().raw("../outside/evil", "x"));
        assertFalse(Files.exists(outside.resolve("evil"), NOFOLLOW));
    }

    @Test
    public void refusesDotDotInANameEvenWhenItStaysInside() {
        // appc's RootfsExtractor took a/../b as b; the one rule refuses any '..' in a name.
        refused("a/../b", "climbs out of the tree with '..'", new Tar().dir("a", 0755).raw("a/../b", "x"));
        assertFalse(Files.exists(tree.resolve("b"), NOFOLLOW));
    }

    @Test
    public void refusesAbsoluteNames() {
        refused(secret.toString(), "absolute", new Tar().raw(secret.toString(), "pwned"));
        refused(".//etc/x", "absolute", new Tar().raw(".//etc/x", "x"));
    }

    // ---- symbolic links ----

    @Test
    public void refusesARelativeLinkThatClimbsOutAsWritten() {
        refused("a/up", "outside the tree", new Tar().dir("a", 0755).symlink("a/up", "../../outside"));
        assertFalse(Files.exists(tree.resolve("a/up"), NOFOLLOW));
    }

    @Test
    public void refusesWritingThroughALinkTheSameArchiveMadeToTheOutside() {
        refused("d/x", "would be written through the symbolic link d", new Tar().symlink("d", outside.toString())
                .file("d/x", "gotcha"));
        assertFalse(Files.exists(outside.resolve("x"), NOFOLLOW));
    }

    @Test
    public void refusesWritingThroughALinkTheSameArchiveMadeEvenWhenItStaysInside() {
        // The OCI LayerRenderer resolved this inside the tree; the one rule refuses it, as appc did.
        refused("l/x", "would be written through the symbolic link l", new Tar().dir("sub", 0755).symlink("l", "sub")
                .file("l/x", "x"));
        refused("deep/d/sub/x", "symbolic link deep/d", new Tar().dir("deep", 0755).symlink("deep/d", "/")
                .file("deep/d/sub/x", "x"));
    }

    @Test
    public void refusesWritingThroughALinkOfTheSameArchiveReachedThroughAnEarlierOnesLink() {
        refused("lib/d/x", "would be written through the symbolic link usr/lib/d",
                new Tar().dir("usr/lib", 0755).symlink("lib", "usr/lib"),
                new Tar().symlink("usr/lib/d", outside.toString()).file("lib/d/x", "gotcha"));
    }

    @Test
    public void followsTheLinksOfAnEarlierArchiveInsideTheTree() throws IOException {
        extract(new Tar().dir("usr/lib", 0755).symlink("lib", "/usr/lib").symlink("hostroot", "/"),
                new Tar().file("lib/libx.so", "so").file("hostroot" + outside + "/secret", "pwned"));
        assertEquals("so", Files.readString(tree.resolve("usr/lib/libx.so")));
        assertEquals("pwned", Files.readString(tree.resolve(outside.toString().substring(1) + "/secret")));
    }

    @Test
    public void aLinkThroughAMissingDirectoryAndBackStaysInside() throws IOException {
        // "missing/../esc" once led the OCI renderer to take the rest as written, and so write through esc.
        extract(new Tar().symlink("esc", outside.toString()).symlink("l", "missing/../esc"),
                new Tar().file("l/pwned", "x"));
        assertFalse(Files.exists(outside.resolve("pwned"), NOFOLLOW));
        assertEquals("x", Files.readString(tree.resolve(outside.toString().substring(1) + "/pwned")));
    }

    @Test
    public void refusesARelativeLinkThatClimbsOutThroughAnotherLink() {
        refused("a", "is a symbolic link that leads outside the tree", new Tar().dir("x", 0755)
                .symlink("x/up", "..").symlink("a", "x/up/.."));
    }

    @Test
    public void refusesARelativeLinkThatClimbsOutThroughALinkThatCameAfterIt() {
        refused("a", "leads outside the tree", new Tar().dir("x/up", 0755).symlink("a", "x/up/../..")
                .dir("y", 0755).symlink("x/up", "../y"));
    }

    @Test
    public void refusesLinksThatLoop() {
        refused("a", "loops", new Tar().symlink("a", "b").symlink("b", "a"));
    }

    @Test
    public void refusesAWriteThatAnEarlierArchivesLinksLeadAboveTheTop() {
        // Each archive's links stay inside on their own; together they climb: the write is refused.
        refused("a/f", "resolves outside the tree", new Tar().dir("x/up", 0755).symlink("a", "x/up/.."),
                new Tar().symlink("x/up", ".."), new Tar().file("a/f", "x"));
    }

    @Test
    public void refusesAWriteBelowLinksThatLoop() throws IOException {
        // No extraction leaves a loop behind (see above); a tree may hold one all the same.
        Files.createSymbolicLink(tree.resolve("a"), Path.of("b"));
        Files.createSymbolicLink(tree.resolve("b"), Path.of("a"));
        refused("a/f", "symbolic links that loop", new Tar().file("a/f", "x"));
    }

    @Test
    public void refusesAMountPointMadeALinkThroughAnEarlierArchivesLink() {
        refused("top/dev", "makes /dev a symbolic link", new Tar().symlink("top", "/"),
                new Tar().symlink("top/dev", outside.toString()));
        assertFalse(Files.exists(tree.resolve("dev"), NOFOLLOW));
    }

    // ---- hard links ----

    @Test
    public void refusesHardLinksOut() {
        refused("h1", "is a hard link to " + secret, new Tar().hardLink("h1", secret.toString()));
        refused("h2", "climbs out of the tree", new Tar().hardLink("h2", "../outside/secret"));
    }

    @Test
    public void refusesAHardLinkThroughALinkOfTheSameArchive() {
        refused("h", "lies below the symbolic link d", new Tar().symlink("d", outside.toString())
                .hardLink("h", "d/secret"));
    }

    @Test
    public void refusesAHardLinkThroughAnEarlierArchivesLinkToTheOutsideAsNotInTheTree() {
        refused("h", "not a file of the tree", new Tar().symlink("d", outside.toString()), new Tar().hardLink("h", "d/secret"));
    }

    @Test
    public void refusesAHardLinkToALinkOrToNothing() {
        refused("h", "not a file of the tree", new Tar().symlink("s", secret.toString()).hardLink("h", "s"));
        refused("h2", "not a file of the tree", new Tar().hardLink("h2", "missing"));
    }

    // ---- special files ----

    @Test
    public void refusesDevicesAndFifos() {
        refused("dev/mem", "device node", new Tar().device("dev/mem"));
        refused("run/pipe", "FIFO", new Tar().fifo("run/pipe"));
        assertFalse(Files.exists(tree.resolve("dev/mem"), NOFOLLOW));
    }

    @Test
    public void refusesAnEntryBelowAFile() {
        refused("f/x", "lies below f, which is not a directory", new Tar().file("f", "file"), new Tar().file("f/x", "x"));
    }

    @Test
    public void removeNeverLeavesTheTreeNorRemovesItsTop() throws IOException {
        TarExtraction extraction = new TarExtraction(tree, "", "tree", (entry, reason) -> BosunException.invalid(reason));
        assertThrows(BosunException.class, () -> extraction.remove(tree.resolve("a/.."), "e"));
        assertThrows(BosunException.class, () -> extraction.remove(tree.resolve("../outside"), "e"));
        Files.createSymbolicLink(tree.resolve("l"), outside);
        extraction.remove(tree.resolve("l"), "e");
        assertFalse(Files.exists(tree.resolve("l"), NOFOLLOW));
    }
}
