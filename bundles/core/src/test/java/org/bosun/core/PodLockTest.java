package org.bosun.core;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * A pod's lock file is readable by all: a reader that is not root (the API service run as
 * --user) opens it to tell a running pod from an exited one, and to await its end.
 */
public class PodLockTest {
    @Rule
    public final TemporaryFolder temp = new TemporaryFolder();

    @Test
    public void aNewPodLockIsReadableByAllAndHeldUntilClosed() throws Exception {
        Path pod = temp.newFolder("pod").toPath();
        try (PodLock lock = PodLock.create(pod)) {
            assertEquals("rw-r--r--", PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(pod.resolve(PodLock.FILE_NAME))));
            assertTrue(PodLock.isHeld(pod));
        }
        assertFalse(PodLock.isHeld(pod));
    }
}
