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
 */
final class PodNetRecords {
    static final String DIR = "net";

    private PodNetRecords() {
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
