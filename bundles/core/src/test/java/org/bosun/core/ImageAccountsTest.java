package org.bosun.core;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.bosun.api.BosunException;
import org.bosun.api.ErrorKind;
import org.bosun.host.files.Scratch;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;

public class ImageAccountsTest {
    private static final String IMAGE = "/images/app.aci";

    @Rule
    public final Scratch scratch = new Scratch();

    private Path rootfs;
    private Path outside;

    @Before
    public void layOut() throws IOException {
        rootfs = Files.createDirectories(scratch.root().resolve("rootfs"));
        outside = Files.createDirectories(scratch.root().resolve("outside"));
    }

    private void etc() throws IOException {
        Files.createDirectories(rootfs.resolve("etc"));
        Files.writeString(rootfs.resolve("etc/passwd"), String.join("\n",
                "root:x:0:0:root:/root:/bin/sh",
                "# a comment",
                "broken:x:notanumber:1::/:/bin/false",
                "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin",
                "www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin",
                "app:x:1234:4321:the app:/home/app:/bin/sh", ""));
        Files.writeString(rootfs.resolve("etc/group"), String.join("\n",
                "root:x:0:",
                "daemon:x:1:",
                "www-data:x:33:",
                "apps:x:4321:app", ""));
    }

    private void groups(String... lines) throws IOException {
        Files.writeString(rootfs.resolve("etc/group"), String.join("\n", lines) + "\n");
    }

    /** docker's and containerd's rule: the groups /etc/group lists the user in, by name or by its uid's name. */
    @Test
    public void theGroupsTheImageListsTheUserInAreItsSupplementaryGroups() throws IOException {
        etc();
        groups("root:x:0:", "apps:x:4321:app", "audio:x:29:pulse,app", "video:x:44:app,other", "staff:x:50:other",
                "wheel:x:10: app ");
        assertEquals("by name, the primary group left out", java.util.List.of(29, 44, 10),
                ImageAccounts.memberGids(rootfs, "app", 1234, 4321));
        assertEquals("by uid", java.util.List.of(29, 44, 10), ImageAccounts.memberGids(rootfs, "1234", 1234, 4321));
        assertEquals("with another primary group", java.util.List.of(4321, 29, 44, 10),
                ImageAccounts.memberGids(rootfs, "app", 1234, 0));
        assertEquals("a user no group lists", java.util.List.of(), ImageAccounts.memberGids(rootfs, "www-data", 33, 33));
        assertEquals("a uid /etc/passwd does not name", java.util.List.of(),
                ImageAccounts.memberGids(rootfs, "4242", 4242, 0));
        assertEquals("the user of the primary group name is not a member by that", java.util.List.of(),
                ImageAccounts.memberGids(rootfs, "root", 0, 0));
    }

    /** group(5) entries only: what is not one is skipped, as glibc's files backend skips it. */
    @Test
    public void malformedGroupLinesAreSkipped() throws IOException {
        etc();
        groups("", "# comment app", "short:x:7", "nogid:x::app", "letters:x:abc:app", "huge:x:99999999999:app",
                "+app:x:8:app", "-:x:9:app", ":x:11:app", "twice:x:12:app", "again:x:12:app", "good:x:13:app");
        assertEquals(java.util.List.of(12, 13), ImageAccounts.memberGids(rootfs, "app", 1234, 4321));
    }

    @Test
    public void anImageWithoutAccountFilesOrWithLinkedOnesListsNoGroups() throws IOException {
        assertEquals(java.util.List.of(), ImageAccounts.memberGids(rootfs, "app", 1234, 0));
        assertEquals(java.util.List.of(), ImageAccounts.memberGids(rootfs, null, 0, 0));
        Files.writeString(outside.resolve("group"), "host:x:5:app\n");
        Files.createDirectories(rootfs.resolve("etc"));
        Files.createSymbolicLink(rootfs.resolve("etc/group"), outside.resolve("group"));
        assertEquals("never the host's", java.util.List.of(), ImageAccounts.memberGids(rootfs, "app", 1234, 0));
    }

    @Test
    public void resolvesUserNamesFromTheImagesPasswd() throws IOException {
        etc();
        assertEquals(1234, ImageAccounts.uid(rootfs, "app", IMAGE));
        assertEquals(33, ImageAccounts.uid(rootfs, "www-data", IMAGE));
        assertEquals(0, ImageAccounts.uid(rootfs, "root", IMAGE));
    }

    @Test
    public void resolvesGroupNamesFromTheImagesGroup() throws IOException {
        etc();
        assertEquals(4321, ImageAccounts.gid(rootfs, "apps", IMAGE));
        assertEquals(1, ImageAccounts.gid(rootfs, "daemon", IMAGE));
    }

    @Test
    public void aUserWithoutAGroupGetsTheirPrimaryGroupFromThePasswd() throws IOException {
        etc();
        assertEquals("by name", 4321, ImageAccounts.primaryGid(rootfs, "app", IMAGE));
        assertEquals("by uid", 4321, ImageAccounts.primaryGid(rootfs, "1234", IMAGE));
        assertEquals(33, ImageAccounts.primaryGid(rootfs, "www-data", IMAGE));
    }

    @Test
    public void aUserWithoutAGroupThatThePasswdDoesNotListGetsGroupZeroOnlyWhenNumeric() throws IOException {
        assertEquals("no user", 0, ImageAccounts.primaryGid(rootfs, null, IMAGE));
        assertEquals("numeric, no /etc/passwd", 0, ImageAccounts.primaryGid(rootfs, "1000", IMAGE));
        etc();
        assertEquals("numeric, not listed", 0, ImageAccounts.primaryGid(rootfs, "1000", IMAGE));
        BosunException e = assertThrows(BosunException.class, () -> ImageAccounts.primaryGid(rootfs, "nobody", IMAGE));
        assertEquals(ErrorKind.INVALID_ARGUMENT, e.kind());
        assertTrue(e.getMessage(), e.getMessage().contains("'nobody'") && e.getMessage().contains(IMAGE));
    }

    @Test
    public void thePrimaryGroupIsNotReadThroughASymlinkedPasswd() throws IOException {
        Files.writeString(outside.resolve("passwd"), "app:x:1234:4321::/:/bin/sh\n");
        Files.createDirectories(rootfs.resolve("etc"));
        Files.createSymbolicLink(rootfs.resolve("etc/passwd"), outside.resolve("passwd"));
        assertEquals(0, ImageAccounts.primaryGid(rootfs, "1234", IMAGE));
        assertThrows(BosunException.class, () -> ImageAccounts.primaryGid(rootfs, "app", IMAGE));
    }

    @Test
    public void passesNumericIdsThroughWithoutAnyPasswd() {
        assertEquals(1000, ImageAccounts.uid(rootfs, "1000", IMAGE));
        assertEquals(0, ImageAccounts.gid(rootfs, "0", IMAGE));
        assertEquals(65534, ImageAccounts.gid(rootfs, "65534", IMAGE));
    }

    @Test
    public void noUserMeansRoot() {
        assertEquals(0, ImageAccounts.uid(rootfs, null, IMAGE));
        assertEquals(0, ImageAccounts.gid(rootfs, "", IMAGE));
    }

    @Test
    public void refusesANumericIdBeyondTheLargestValidOne() {
        BosunException e = assertThrows(BosunException.class, () -> ImageAccounts.uid(rootfs, "4294967295", IMAGE));
        assertEquals(ErrorKind.INVALID_ARGUMENT, e.kind());
        assertTrue(e.getMessage(), e.getMessage().contains(IMAGE));
    }

    @Test
    public void refusesAnUnknownUserNamingItAndTheImage() throws IOException {
        etc();
        BosunException e = assertThrows(BosunException.class, () -> ImageAccounts.uid(rootfs, "nobody", IMAGE));
        assertEquals(ErrorKind.INVALID_ARGUMENT, e.kind());
        assertTrue(e.getMessage(), e.getMessage().contains("'nobody'"));
        assertTrue(e.getMessage(), e.getMessage().contains(IMAGE));
    }

    @Test
    public void refusesAnUnknownGroup() throws IOException {
        etc();
        BosunException e = assertThrows(BosunException.class, () -> ImageAccounts.gid(rootfs, "wheel", IMAGE));
        assertEquals(ErrorKind.INVALID_ARGUMENT, e.kind());
        assertTrue(e.getMessage(), e.getMessage().contains("'wheel'"));
    }

    @Test
    public void refusesAUserWhoseIdIsNotANumber() throws IOException {
        etc();
        BosunException e = assertThrows(BosunException.class, () -> ImageAccounts.uid(rootfs, "broken", IMAGE));
        assertEquals(ErrorKind.INVALID_ARGUMENT, e.kind());
    }

    @Test
    public void refusesANameWhenTheImageHasNoPasswd() {
        BosunException e = assertThrows(BosunException.class, () -> ImageAccounts.uid(rootfs, "app", IMAGE));
        assertEquals(ErrorKind.INVALID_ARGUMENT, e.kind());
        assertTrue(e.getMessage(), e.getMessage().contains("/etc/passwd"));
    }

    @Test
    public void refusesASymlinkedPasswdEvenIfItsTargetKnowsTheName() throws IOException {
        Files.writeString(outside.resolve("passwd"), "app:x:1234:4321::/:/bin/sh\n");
        Files.createDirectories(rootfs.resolve("etc"));
        Files.createSymbolicLink(rootfs.resolve("etc/passwd"), outside.resolve("passwd"));
        BosunException e = assertThrows(BosunException.class, () -> ImageAccounts.uid(rootfs, "app", IMAGE));
        assertEquals(ErrorKind.INVALID_ARGUMENT, e.kind());
    }

    @Test
    public void refusesASymlinkedGroup() throws IOException {
        Files.writeString(outside.resolve("group"), "apps:x:4321:\n");
        Files.createDirectories(rootfs.resolve("etc"));
        Files.createSymbolicLink(rootfs.resolve("etc/group"), Path.of("../../outside/group"));
        BosunException e = assertThrows(BosunException.class, () -> ImageAccounts.gid(rootfs, "apps", IMAGE));
        assertEquals(ErrorKind.INVALID_ARGUMENT, e.kind());
    }

    @Test
    public void refusesAPasswdReachedThroughASymlinkedEtc() throws IOException {
        Files.writeString(outside.resolve("passwd"), "app:x:1234:4321::/:/bin/sh\n");
        Files.createSymbolicLink(rootfs.resolve("etc"), outside);
        BosunException e = assertThrows(BosunException.class, () -> ImageAccounts.uid(rootfs, "app", IMAGE));
        assertEquals(ErrorKind.INVALID_ARGUMENT, e.kind());
    }

    /** appc: a user or group given as an absolute path is the owner or group of that file in the image. */
    @Test
    public void aPathGivesTheOwnerAndGroupOfThatFileInTheImage() throws IOException {
        etc();
        Path data = Files.createDirectories(rootfs.resolve("srv/data"));
        Files.setAttribute(data, "unix:uid", 1234);
        Files.setAttribute(data, "unix:gid", 4321);
        Files.createSymbolicLink(rootfs.resolve("srv/current"), Path.of("/srv/data"));
        assertEquals(1234, ImageAccounts.uid(rootfs, "/srv/data", IMAGE));
        assertEquals(4321, ImageAccounts.gid(rootfs, "/srv/data", IMAGE));
        assertEquals("a link is followed inside the image", 1234, ImageAccounts.uid(rootfs, "/srv/current", IMAGE));
        assertEquals("a user path without a group: that user's primary group", 4321,
                ImageAccounts.primaryGid(rootfs, "/srv/data", IMAGE));
    }

    @Test
    public void aPathIsResolvedInsideTheImageNeverOutOfIt() throws IOException {
        Path secret = Files.writeString(outside.resolve("secret"), "x");
        Files.setAttribute(secret, "unix:uid", 4242);
        Files.createDirectories(rootfs.resolve("srv"));
        Files.createSymbolicLink(rootfs.resolve("srv/escape"), secret);
        BosunException missing = assertThrows(BosunException.class, () -> ImageAccounts.uid(rootfs, "/srv/escape", IMAGE));
        assertEquals("the absolute link leads to the image's own " + secret, ErrorKind.INVALID_ARGUMENT, missing.kind());
        assertTrue(missing.getMessage(), missing.getMessage().contains("/srv/escape") && missing.getMessage().contains(IMAGE));
        BosunException climbs = assertThrows(BosunException.class, () -> ImageAccounts.gid(rootfs, "/../outside/secret", IMAGE));
        assertEquals(ErrorKind.INVALID_ARGUMENT, climbs.kind());
        assertTrue(climbs.getMessage(), climbs.getMessage().startsWith("group /../outside/secret of image " + IMAGE));
    }
}
