package org.bosun.core;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Set;

import org.bosun.api.BosunException;
import org.bosun.api.RuntimePaths;

/**
 * Named points where a bosun process stops and waits, so that the kill -9 tests (itest
 * {@code KillNineIT}) can kill the client, the agent or the pod's process at a known phase of an
 * operation instead of after a guessed sleep.
 *
 * <p>A point pauses only when the data directory holds the file {@code test-pause}, a regular file
 * owned by root and writable by no one else, whose lines name the point: the process then writes
 * its pid into {@code test-pause.POINT.reached} (atomically) and waits until {@code test-pause} no
 * longer names the point, at most {@link #LONGEST_MILLIS} ms (the agent's cancel of a command whose client
 * hung up ends the wait too). Nothing is skipped or changed: a point only delays. The data directory
 * is root's: whoever can create the file could stop the pods anyway. Without the file a point costs
 * one {@code stat}.
 *
 * <p>The points, in the order an operation meets them; app-level operations add theirs here.
 */
final class TestPauses {
    static final String FILE = "test-pause";
    /** run/prepare: an image is in the store (fetched or found) and pinned; nothing of the app is made yet. */
    static final String PREPARE_IMAGE = "prepare-image";
    /** run/prepare: the pod's netns, addresses and port forwards exist; the engine has not prepared it. */
    static final String PREPARE_NETWORK = "prepare-network";
    /** run: the pod is prepared and about to be handed to the launcher, which claims it and execs. */
    static final String LAUNCH = "launch";
    /** stop: the pod is running; its engine has not been asked to stop it yet. */
    static final String STOP = "stop";
    /** gc, rm: a pod is marked garbage and about to be collected (network, engine, security, files). */
    static final String COLLECT = "collect";
    static final List<String> POINTS = List.of(PREPARE_IMAGE, PREPARE_NETWORK, LAUNCH, STOP, COLLECT);

    static final long LONGEST_MILLIS = 120_000;
    private static final long POLL_MILLIS = 20;

    private TestPauses() {
    }

    /** Pauses at {@code point} if the data directory's {@code test-pause} names it. */
    static void at(RuntimePaths paths, String point) {
        Path file = paths.dataDir().resolve(FILE);
        if (!names(file, point)) {
            return;
        }
        Path reached = paths.dataDir().resolve(FILE + "." + point + ".reached");
        Path tmp = paths.dataDir().resolve(FILE + "." + point + ".reached.tmp");
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
