package org.bosun.image.oci;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.bosun.api.BosunException;

/**
 * Unpacks an image archive (an OCI layout tar, a {@code docker save} tarball; optionally gzip) into
 * a private scratch directory, as untrusted input: only directories, regular files and symbolic
 * links between files of the archive (docker save links repeated layers); no absolute names, no
 * {@code ..}, size and entry limits. Links are kept as a map of names, never created on disk.
 */
final class ArchiveExtractor {
    static final int MAX_ENTRIES = 100_000;
    static final long MAX_BYTES = 64L << 30;

    private final String subject;
    private final Path scratch;
    private final Map<String, String> links = new HashMap<>();

    ArchiveExtractor(String subject, Path scratch) {
        this.subject = subject;
        this.scratch = scratch;
    }

    void extract(Path archive) {
        int entries = 0;
        long bytes = 0;
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(archive), 1 << 16);
                TarArchiveInputStream tar = new TarArchiveInputStream(gunzipped(raw))) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                if (++entries > MAX_ENTRIES) {
                    throw refuse(entry.getName(), "takes the archive over " + MAX_ENTRIES + " entries");
                }
                String name = clean(entry.getName());
                if (name.isEmpty()) {
                    continue;
                }
                Path target = scratch.resolve(name);
                if (entry.isDirectory()) {
                    Files.createDirectories(target);
                } else if (entry.isSymbolicLink()) {
                    String parent = name.contains("/") ? name.substring(0, name.lastIndexOf('/') + 1) : "";
                    if (entry.getLinkName().startsWith("/")) {
                        throw refuse(entry.getName(), "is a symbolic link to the absolute path " + entry.getLinkName());
                    }
                    links.put(name, clean(parent + entry.getLinkName(), entry.getName()));
                } else if (entry.isFile() && !entry.isLink()) {
                    bytes += entry.getSize();
                    if (bytes > MAX_BYTES) {
                        throw refuse(entry.getName(), "takes the archive over " + (MAX_BYTES >> 30) + " GiB");
                    }
                    Files.createDirectories(target.getParent());
                    try (OutputStream out = Files.newOutputStream(target, StandardOpenOption.CREATE_NEW)) {
                        tar.transferTo(out);
                    }
                } else {
                    throw refuse(entry.getName(), "is a " + (entry.isLink() ? "hard link" : "special file")
                            + ", which image archives do not hold");
                }
            }
        } catch (java.nio.file.FileAlreadyExistsException e) {
            throw BosunException.invalid(subject + " holds " + scratch.relativize(Path.of(e.getFile())) + " twice; refused");
        } catch (IOException e) {
            throw BosunException.invalid(subject + " is not a readable tar archive (" + e.getMessage() + ")");
        }
    }

    private static InputStream gunzipped(InputStream in) throws IOException {
        in.mark(2);
        int a = in.read();
        int b = in.read();
        in.reset();
        return a == 0x1f && b == 0x8b ? new GZIPInputStream(in, 1 << 16) : in;
    }

    /** The file of {@code name} in the archive, following its links between archive members. */
    Path file(String name, String what) {
        String current = clean(name, what);
        for (int i = 0; i < 40 && links.containsKey(current); i++) {
            current = links.get(current);
        }
        Path file = scratch.resolve(current);
        if (links.containsKey(current) || !Files.isRegularFile(file)) {
            throw BosunException.invalid(subject + " names " + name + " as its " + what + ", which the archive does not hold");
        }
        return file;
    }

    /** An entry's own name: no {@code ..} at all. */
    private String clean(String raw) {
        for (String part : raw.split("/")) {
            if (part.equals("..")) {
                throw refuse(raw, "climbs out of the archive with '..'");
            }
        }
        return clean(raw, raw);
    }

    private String clean(String raw, String entryName) {
        if (raw.startsWith("/") || raw.indexOf('\0') >= 0) {
            throw refuse(entryName, "has an absolute or malformed name");
        }
        List<String> parts = new ArrayList<>();
        for (String part : raw.split("/")) {
            if (part.equals("..")) {
                if (parts.isEmpty()) {
                    throw refuse(entryName, "climbs out of the archive with '..'");
                }
                parts.remove(parts.size() - 1);
            } else if (!part.isEmpty() && !part.equals(".")) {
                parts.add(part);
            }
        }
        return String.join("/", parts);
    }

    private BosunException refuse(String entryName, String what) {
        return BosunException.invalid(subject + " is refused: entry " + entryName + " " + what);
    }
}
