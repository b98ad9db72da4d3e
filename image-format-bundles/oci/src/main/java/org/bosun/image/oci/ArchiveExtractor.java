package org.bosun.image.oci;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.GZIPInputStream;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.bosun.api.BosunException;
import org.bosun.host.archive.EntryNames;
import org.bosun.host.archive.TarEntry;
import org.bosun.host.archive.TarEntryCheck;

/**
 * Unpacks an image archive (an OCI layout tar, a {@code docker save} tarball; optionally gzip) into
 * a private scratch directory, as untrusted input: entries are checked by the rule of {@link
 * org.bosun.host.archive} (no absolute names, no {@code ..}, no links leading out, no special
 * files); of them only directories, regular files and relative symbolic links between files of the
 * archive (docker save links repeated layers) are taken; size and entry limits. Links are kept as a
 * map of names, never created on disk, so the scratch directory's files can be read as they are.
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
        TarEntryCheck check = new TarEntryCheck("", "archive", this::refuse);
        int entries = 0;
        long bytes = 0;
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(archive), 1 << 16);
                TarArchiveInputStream tar = new TarArchiveInputStream(gunzipped(raw))) {
            TarArchiveEntry header;
            while ((header = tar.getNextEntry()) != null) {
                if (++entries > MAX_ENTRIES) {
                    throw refuse(header.getName(), "takes the archive over " + MAX_ENTRIES + " entries");
                }
                TarEntry entry = check.check(header);
                if (entry == null) {
                    continue;
                }
                Path target = scratch.resolve(entry.name());
                switch (entry.type()) {
                    case DIRECTORY -> Files.createDirectories(target);
                    case SYMLINK -> {
                        if (entry.link().startsWith("/")) {
                            throw refuse(header.getName(), "is a symbolic link to the absolute path " + entry.link());
                        }
                        links.put(entry.name(), EntryNames.linkTarget(entry.name(), entry.link()));
                    }
                    case FILE -> {
                        bytes += header.getSize();
                        if (bytes > MAX_BYTES) {
                            throw refuse(header.getName(), "takes the archive over " + (MAX_BYTES >> 30) + " GiB");
                        }
                        Files.createDirectories(target.getParent());
                        try (OutputStream out = Files.newOutputStream(target, StandardOpenOption.CREATE_NEW)) {
                            tar.transferTo(out);
                        }
                    }
                    case HARD_LINK -> throw refuse(header.getName(), "is a hard link, which image archives do not hold");
                }
            }
            check.finish();
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
        String current = EntryNames.normalize(name);
        if (current == null) {
            throw refuse(what, "is named " + name + ", which is absolute, malformed or climbs out of the archive with '..'");
        }
        for (int i = 0; i < 40 && links.containsKey(current); i++) {
            current = links.get(current);
        }
        Path file = scratch.resolve(current);
        if (links.containsKey(current) || !Files.isRegularFile(file)) {
            throw BosunException.invalid(subject + " names " + name + " as its " + what + ", which the archive does not hold");
        }
        return file;
    }

    private BosunException refuse(String entryName, String what) {
        return BosunException.invalid(subject + " is refused: entry " + entryName + " " + what);
    }
}
