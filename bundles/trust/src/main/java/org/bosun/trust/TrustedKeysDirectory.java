package org.bosun.trust;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

import org.bosun.api.BosunException;
import org.bosun.api.trust.TrustScope;
import org.bosun.api.trust.TrustedKey.Origin;
import org.bosun.host.config.ConfigFolder;

/**
 * One configuration directory's {@code trustedkeys/}, laid out as rkt did:
 * {@code root.d/<fingerprint>} for keys trusted for every image and
 * {@code prefix.d/<prefix>/<fingerprint>} for keys trusted for a prefix, whose segments are
 * directories. File names are lower case fingerprints; other names (such as the temporary files of
 * a write) are ignored.
 */
final class TrustedKeysDirectory {
    /** A key file in the directory; {@code empty} files withdraw a system key's trust. */
    record Entry(TrustScope scope, String fileName, Path file, Origin origin, boolean empty) {
        /** Which local file shadows which system file: same scope, same fingerprint. */
        String slot() {
            return (scope.isRoot() ? "root.d/" : "prefix.d/" + scope.prefix() + "/") + fileName;
        }
    }

    private final Path root;
    private final Origin origin;

    TrustedKeysDirectory(Path configDir, Origin origin) {
        this.root = configDir.resolve("trustedkeys");
        this.origin = origin;
    }

    Origin origin() {
        return origin;
    }

    Path directory(TrustScope scope) {
        return scope.isRoot() ? root.resolve("root.d") : root.resolve("prefix.d").resolve(scope.prefix());
    }

    Path file(TrustScope scope, String fileName) {
        return directory(scope).resolve(fileName);
    }

    /** The key files of the scopes that cover {@code imageName}: root.d and each ancestor of the name in prefix.d. */
    List<Entry> covering(String imageName) {
        List<Entry> entries = new ArrayList<>(filesIn(TrustScope.root()));
        int from = 0;
        while (true) {
            int slash = imageName.indexOf('/', from);
            String prefix = slash < 0 ? imageName : imageName.substring(0, slash);
            entries.addAll(filesIn(new TrustScope(prefix)));
            if (slash < 0) {
                return entries;
            }
            from = slash + 1;
        }
    }

    /** Every key file, in root.d and anywhere under prefix.d. */
    List<Entry> all() {
        List<Entry> entries = new ArrayList<>(filesIn(TrustScope.root()));
        Path prefixes = root.resolve("prefix.d");
        if (!Files.isDirectory(prefixes)) {
            return entries;
        }
        try {
            Files.walkFileTree(prefixes, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                    if (!dir.equals(prefixes)) {
                        String prefix = prefixes.relativize(dir).toString();
                        TrustScope scope;
                        try {
                            scope = new TrustScope(prefix);
                        } catch (BosunException notAPrefix) {
                            return FileVisitResult.SKIP_SUBTREE;
                        }
                        entries.addAll(filesIn(scope));
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw unreadable(prefixes, e);
        }
        return entries;
    }

    /** The key files of one scope's directory, in file name order. */
    private List<Entry> filesIn(TrustScope scope) {
        List<Entry> entries = new ArrayList<>();
        for (Path f : ConfigFolder.list(directory(scope), "*")) {
            String name = f.getFileName().toString();
            if (Fingerprints.isFileName(name) && Files.isRegularFile(f)) {
                try {
                    entries.add(new Entry(scope, name, f, origin, Files.size(f) == 0));
                } catch (NoSuchFileException gone) {
                    // removed meanwhile: no longer trusted
                } catch (IOException e) {
                    throw unreadable(f, e);
                }
            }
        }
        return entries;
    }

    /**
     * Writes {@code content} as the key file of {@code scope}: a temporary file in the same
     * directory, synced, mode 0644, renamed over the old one. Readers see the old file or the new
     * one, never a part.
     */
    Path write(TrustScope scope, String fileName, byte[] content) {
        Path dir = directory(scope);
        Path target = dir.resolve(fileName);
        Path temp = null;
        try {
            createDirectories(dir);
            temp = Files.createTempFile(dir, ".key-", ".tmp");
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buf = ByteBuffer.wrap(content);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-r--r--"));
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            temp = null;
            return target;
        } catch (IOException e) {
            throw BosunException.precondition("cannot write the trusted key " + target + " (" + e.getMessage()
                    + "); check that " + root + " is writable by this user or choose another --local-config");
        } finally {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // best effort; the name marks it as not a key
                }
            }
        }
    }

    /** Deletes a key file, then the prefix directories it leaves empty. */
    void delete(Entry entry) {
        try {
            Files.deleteIfExists(entry.file());
        } catch (IOException e) {
            throw BosunException.precondition("cannot delete the trusted key " + entry.file() + " (" + e.getMessage()
                    + "); check that it is writable by this user");
        }
        Path stop = root.resolve("prefix.d");
        for (Path dir = entry.file().getParent(); dir != null && dir.startsWith(stop) && !dir.equals(stop);
                dir = dir.getParent()) {
            try {
                Files.delete(dir);
            } catch (IOException notEmpty) {
                return;
            }
        }
    }

    private static void createDirectories(Path dir) throws IOException {
        if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Path parent = dir.getParent();
        if (parent != null) {
            createDirectories(parent);
        }
        try {
            Files.createDirectory(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (java.nio.file.FileAlreadyExistsException raced) {
            if (!Files.isDirectory(dir)) {
                throw raced;
            }
        }
    }

    private static BosunException unreadable(Path path, IOException e) {
        return BosunException.precondition("cannot read the trusted keys in " + path + " (" + e.getMessage() + ")");
    }
}
