package org.bosun.host;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;

import org.bosun.api.BosunException;

/**
 * Named points where a bosun process stops and waits, so that the kill -9 tests (itest
 * {@code KillNineIT}) can kill the client, the agent or the pod's process at a known phase of an
 * operation instead of after a guessed sleep. One mechanism for every bundle that has such a point
 * (core's pod and app operations, the image store's import); each names its own points.
 *
 * <p>A point pauses only when the data directory holds the file {@code test-pause}, a regular file
 * owned by root and writable by no one else, whose lines name the point: the process then writes
 * its pid into {@code test-pause.POINT.reached} (atomically) and waits until {@code test-pause} no
 * longer names the point, at most {@link #LONGEST_MILLIS} ms (the agent's cancel of a command whose
 * client hung up ends the wait too). Nothing is skipped or changed: a point only delays. The data
 * directory is root's: whoever can create the file could stop the pods anyway. Without the file a
 * point costs one {@code stat}.
 */
public final class TestPause {
    /** The file in the data directory that names the points to pause at. */
    public static final String FILE = "test-pause";
    /** The longest a point waits, in milliseconds. */
    public static final long LONGEST_MILLIS = 120_000;
    private static final long POLL_MILLIS = 20;

    private TestPause() {
    }

    /** Pauses at {@code point} if {@code dataDir}'s {@code test-pause} names it. */
    public static void at(Path dataDir, String point) {
        Path file = dataDir.resolve(FILE);
        if (!names(file, point)) {
            return;
        }
        Path reached = dataDir.resolve(FILE + "." + point + ".reached");
        Path tmp = dataDir.resolve(FILE + "." + point + ".reached.tmp");
        try {
            Files.writeString(tmp, ProcessHandle.current().pid() + "\n", StandardCharsets.US_ASCII);
            Files.move(tmp, reached, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw BosunException.internal("cannot write the test pause mark " + reached + ": " + e.getMessage(), e);
        }
        long deadline = System.nanoTime() + LONGEST_MILLIS * 1_000_000;
        while (names(file, point) && System.nanoTime() < deadline) {
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw BosunException.cancelled("cancelled while paused at the test point " + point);
            }
        }
    }

    /** Whether {@code file} is root's own regular file and one of its lines is {@code point}. */
    private static boolean names(Path file, String point) {
        try {
            PosixFileAttributes a = Files.readAttributes(file, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            Set<PosixFilePermission> mode = a.permissions();
            if (!a.isRegularFile() || !"root".equals(a.owner().getName())
                    || mode.contains(PosixFilePermission.GROUP_WRITE) || mode.contains(PosixFilePermission.OTHERS_WRITE)) {
                return false;
            }
            return Files.readAllLines(file, StandardCharsets.US_ASCII).stream().anyMatch(l -> l.trim().equals(point));
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
