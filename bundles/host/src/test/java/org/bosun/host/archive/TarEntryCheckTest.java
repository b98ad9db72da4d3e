package org.bosun.host.archive;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.bosun.api.BosunException;
import org.junit.Test;

/** The checks that need no tree, run entry by entry on an archive as it streams past. */
public class TarEntryCheckTest {
    private static final EntryRefusal REFUSAL = (entry, reason) -> BosunException.invalid("entry " + entry + " " + reason);

    /** The accepted entries of {@code tar} as "name type link", checked while the bytes stream through a digest. */
    private static List<String> stream(String prefix, Tar tar) throws IOException {
        byte[] bytes = tar.bytes();
        MessageDigest sha256;
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        TarEntryCheck check = new TarEntryCheck(prefix, "image", REFUSAL);
        List<String> accepted = new ArrayList<>();
        try (DigestInputStream digesting = new DigestInputStream(new ByteArrayInputStream(bytes), sha256);
                TarArchiveInputStream in = new TarArchiveInputStream(digesting)) {
            TarArchiveEntry header;
            while ((header = in.getNextEntry()) != null) {
                TarEntry entry = check.check(header);
                if (entry != null) {
                    accepted.add(entry.name() + " " + entry.type() + (entry.link() == null ? "" : " " + entry.link()));
                }
            }
            digesting.transferTo(java.io.OutputStream.nullOutputStream());
        }
        check.finish();
        assertArrayEquals("one pass read the whole archive through the digest",
                sha256(bytes), sha256.digest());
        return accepted;
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String refused(String prefix, Tar tar) {
        return assertThrows(BosunException.class, () -> stream(prefix, tar)).getMessage();
    }

    @Test
    public void acceptsAGoodArchiveWithCleanNames() throws IOException {
        assertEquals(List.of("bin DIRECTORY", "bin/busybox FILE", "bin/sh SYMLINK busybox", "bin/ls HARD_LINK bin/busybox",
                "a/b FILE", "etc/localtime SYMLINK /usr/share/zoneinfo/UTC"),
                stream("", new Tar().dir("./", 0755).dir("bin", 0755).file("./bin/busybox", "bb").symlink("bin/sh", "busybox")
                        .hardLink("bin/ls", "./bin/busybox").file("a//./b", "b")
                        .symlink("etc/localtime", "/usr/share/zoneinfo/UTC")));
    }

    @Test
    public void takesOnlyWhatIsBelowThePrefixAndLinksOnlyToIt() throws IOException {
        assertEquals(List.of("x FILE", "h HARD_LINK x"), stream("rootfs/", new Tar().file("manifest", "{}").dir("rootfs", 0755)
                .file("rootfs/x", "x").hardLink("rootfs/h", "rootfs/x")));
        assertTrue(refused("rootfs/", new Tar().hardLink("rootfs/h", "manifest")).contains("lies outside rootfs/"));
        assertTrue(refused("rootfs/", new Tar().raw("rootfs//etc/x", "x")).contains("absolute"));
        assertTrue("absolute is refused before the prefix is looked at",
                refused("rootfs/", new Tar().raw("/etc/x", "x")).contains("entry /etc/x has an absolute"));
    }

    @Test
    public void refusesEveryDotDotAndAbsoluteName() {
        for (String name : List.of("../x", "a/../b", "a/..", "/etc/passwd", ".//x")) {
            String message = refused("", new Tar().raw(name, "x"));
            assertTrue(message, message.startsWith("entry " + name + " "));
        }
    }

    @Test
    public void refusesLinkTargetsThatClimbOutAsWritten() {
        assertTrue(refused("", new Tar().symlink("a/b", "../../x")).contains("is a symbolic link to ../../x, outside the image"));
        assertTrue(refused("", new Tar().symlink("a", "")).contains("empty or malformed target"));
        assertTrue(refused("", new Tar().hardLink("h", "a/../../x")).contains("climbs out of the image"));
    }

    @Test
    public void refusesEntriesBelowALinkOfTheSameArchive() {
        assertTrue(refused("", new Tar().symlink("d", "/tmp").file("d/x", "x"))
                .contains("entry d/x would be written through the symbolic link d"));
        assertTrue(refused("", new Tar().dir("a", 0755).symlink("a/d", "e").dir("a/d/e", 0755))
                .contains("symbolic link a/d"));
        assertTrue(refused("", new Tar().symlink("d", "/tmp").hardLink("h", "d/passwd"))
                .contains("lies below the symbolic link d"));
    }

    @Test
    public void anEntryThatReplacesALinkClearsItAndWhatWasBelowIt() throws IOException {
        assertEquals(4, stream("", new Tar().symlink("d", "/tmp").dir("d", 0755).file("d/x", "x").file("d-e", "sorts between")).size());
        assertEquals(4, stream("", new Tar().dir("p", 0755).symlink("p/l", "/").file("p", "a file now").dir("p/l", 0755))
                .size());
    }

    @Test
    public void refusesSpecialFiles() {
        assertTrue(refused("", new Tar().device("dev/mem")).contains("device node"));
        assertTrue(refused("", new Tar().fifo("pipe")).contains("FIFO"));
    }

    @Test
    public void skipsTheTopItself() throws IOException {
        assertEquals(List.of(), stream("", new Tar().dir(".", 0755)));
        assertNull(new TarEntryCheck("rootfs/", "rootfs", REFUSAL).check(new TarArchiveEntry("rootfs/")));
    }

    @Test
    public void refusesRelativeLinksThatClimbOutThroughTheArchivesOwnLinksOnceItIsRead() throws IOException {
        assertTrue(refused("", new Tar().dir("x", 0755).symlink("x/up", "..").symlink("a", "x/up/.."))
                .contains("entry a is a symbolic link that leads outside the image"));
        assertTrue("through a link that came after it", refused("", new Tar().dir("x/up", 0755).symlink("a", "x/up/../..")
                .dir("y", 0755).symlink("x/up", "../y")).contains("entry a is a symbolic link that leads outside"));
        assertTrue(refused("", new Tar().symlink("a", "b").symlink("b", "a")).contains("entry a is a symbolic link whose"
                + " chain of links loops"));
        assertEquals("an absolute target starts again at the top; a link replaced is not followed", 5,
                stream("", new Tar().dir("c/d", 0755).symlink("b", "c/d").symlink("a", "b/..").symlink("top", "/")
                        .symlink("up", "top/c/..")).size());
    }

    @Test
    public void refusesAHardLinkToALinkOfTheSameArchive() {
        assertTrue(refused("", new Tar().symlink("s", "/etc/shadow").hardLink("h", "s"))
                .contains("entry h is a hard link to s, which is not a file of the image written before it"));
    }

    @Test
    public void refusesATopThatIsNotADirectory() {
        assertTrue(refused("rootfs/", new Tar().file("manifest", "{}").symlink("rootfs", "/"))
                .contains("entry rootfs is the top of the image, which must be a directory"));
        assertTrue(refused("", new Tar().symlink(".", "/etc")).contains("is the top of the image"));
    }

    @Test
    public void refusesTheMountPointsAsLinksAtTheTopOnly() throws IOException {
        for (String name : List.of("dev", "./proc", "sys")) {
            String message = refused("", new Tar().symlink(name, "/tmp"));
            assertTrue(message, message.contains("a symbolic link; the engine mounts the pod's own"));
        }
        assertTrue(refused("rootfs/", new Tar().symlink("rootfs/dev", "/")).contains("makes /dev a symbolic link"));
        assertEquals(List.of("usr/dev SYMLINK /dev", "dev DIRECTORY"),
                stream("", new Tar().symlink("usr/dev", "/dev").dir("dev", 0755)));
    }

    @Test
    public void refusesEveryHostileContentOnTheStreamNamingItsEntry() {
        for (HostileContent hostile : HostileContent.values()) {
            if (hostile == HostileContent.WHITEOUT_DOT_DOT) {
                continue; // the OCI layers' own rule, checked by their layer check
            }
            if (hostile.inAci()) {
                String message = refused("rootfs/", hostile.aci("example.com/hostile"));
                assertTrue(hostile.what + ": " + message, message.startsWith("entry " + hostile.entry("rootfs/") + " "));
            }
            if (hostile.inLayer()) {
                String message = refused("", hostile.layer());
                assertTrue(hostile.what + ": " + message, message.startsWith("entry " + hostile.entry("") + " "));
            }
        }
    }

    @Test
    public void namesResolveAsWritten() {
        assertEquals("b", EntryNames.linkTarget("a/l", "../b"));
        assertEquals("", EntryNames.linkTarget("a/l", ".."));
        assertNull(EntryNames.linkTarget("a/l", "../.."));
        assertEquals("a/c", EntryNames.normalize("./a/b/../c/"));
        assertNull(EntryNames.normalize("/a"));
    }
}
