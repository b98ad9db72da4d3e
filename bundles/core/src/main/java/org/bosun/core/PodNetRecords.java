package org.bosun.core;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

import org.bosun.api.BosunException;

/**
 * The pod's {@code net/} directory, where the core records its network before acting on it (the
 * namespace, the provider, the attachments) and the provider keeps what its {@code DEL}s need.
 * Each record is removed once what it names is gone; the directory goes with the last of them.
 * <p>
 * Since what these records name is held on the host outside the pod directory, they live in the
 * pod's host-wide record ({@link PodHoldings}) and {@code <pod>/net} is a symbolic link there;
 * every method here takes the directory that owns {@code net/} ({@link #owner}): that record, or
 * the pod directory of a pod prepared before there were host records.
 */
final class PodNetRecords {
    static final String DIR = "net";

    private PodNetRecords() {
    }

    /** The directory whose {@code net/} holds the pod's network records. */
    static Path owner(Path podDir) {
        Path net = podDir.resolve(DIR);
        if (!Files.isSymbolicLink(net)) {
            return podDir;
        }
        try {
            return Files.readSymbolicLink(net).getParent();
        } catch (IOException e) {
            throw BosunException.internal("cannot read the link " + net + ": " + e.getMessage(), e);
        }
    }

    /** Whether the records say the pod still holds a network namespace or networks. */
    static boolean holdsAnything(Path owner) {
        return Files.exists(file(owner, PodNetworkNamespace.RECORD)) || Files.exists(file(owner, PodNetwork.PROVIDER_RECORD));
    }

    /** Removes the pod directory's link to its host record. */
    static void unlink(Path podDir) {
        Path net = podDir.resolve(DIR);
        try {
            if (Files.isSymbolicLink(net)) {
                Files.delete(net);
            }
        } catch (NoSuchFileException gone) {
            // removed meanwhile
        } catch (IOException e) {
            throw BosunException.internal("cannot remove " + net + ": " + e.getMessage(), e);
        }
    }

    static Path file(Path podDir, String name) {
        return podDir.resolve(DIR).resolve(name);
    }

    /** The record's one line, or null when there is none: nothing was recorded, or it was undone. */
    static String readLine(Path podDir, String name) {
        Path file = file(podDir, name);
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8).strip();
            return text.isEmpty() ? null : text;
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw BosunException.internal("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    static void createDir(Path podDir) {
        Path dir = podDir.resolve(DIR);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw BosunException.internal("cannot create " + dir + ": " + e.getMessage(), e);
        }
    }

    static void remove(Path podDir, String name) {
        Path file = file(podDir, name);
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw BosunException.internal("cannot remove " + file + ": " + e.getMessage(), e);
        }
    }

    /** Removes {@code net/} once it is empty: a provider's files stay until it has detached. */
    static void removeDirIfEmpty(Path podDir) {
        Path dir = podDir.resolve(DIR);
        try {
            Files.deleteIfExists(dir);
        } catch (DirectoryNotEmptyException keep) {
            // a provider's records, kept for a later detach
        } catch (IOException e) {
            throw BosunException.internal("cannot remove " + dir + ": " + e.getMessage(), e);
        }
    }
}
