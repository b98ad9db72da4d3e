package org.bosun.launcher;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

import org.junit.Test;

/** Where each user's bundle caches live: root's in /var/cache, any other user's of its own. */
public class DistributionTest {

    @Test
    public void rootUsesTheSystemCacheAndAUserItsOwn() throws Exception {
        Path home = Files.createTempDirectory("bosun-home-");
        try {
            assertEquals(Distribution.SYSTEM_CACHE, Distribution.cacheOf(0, Map.of("HOME", home.toString())));
            assertEquals(home.resolve(".cache/bosun/felix"), Distribution.cacheOf(1000, Map.of("HOME", home.toString())));
            assertEquals(Path.of("/xdg/bosun/felix"), Distribution.cacheOf(1000, Map.of("XDG_CACHE_HOME", "/xdg",
                    "HOME", home.toString())));
        } finally {
            EmbeddedPlatform.deleteTree(home);
        }
    }

    @Test
    public void aUserWithoutAHomeGetsAPrivateTemporaryDirectoryAndNeverAnotherUsers() throws Exception {
        Path tmp = Files.createTempDirectory("bosun-tmp-");
        try {
            Path own = Distribution.privateTemporary(tmp.resolve("bosun-" + 4242), 0);
            assertEquals(PosixFilePermissions.fromString("rwx------"), Files.getPosixFilePermissions(own));
            assertEquals(own, Distribution.privateTemporary(own, 0));
            Path planted = Files.createDirectory(tmp.resolve("planted"));
            Files.setAttribute(planted, "unix:uid", 4242);
            try {
                Distribution.privateTemporary(planted, 0);
                fail("a directory of another user was taken as one's own");
            } catch (IllegalStateException expected) {
                assertTrue(expected.getMessage(), expected.getMessage().contains("is not a private directory of uid 0"));
            }
            Path link = Files.createSymbolicLink(tmp.resolve("link"), own);
            try {
                Distribution.privateTemporary(link, 0);
                fail("a link was followed");
            } catch (IllegalStateException expected) {
                assertTrue(expected.getMessage(), expected.getMessage().contains("is not a private directory"));
            }
        } finally {
            EmbeddedPlatform.deleteTree(tmp);
        }
    }
}
