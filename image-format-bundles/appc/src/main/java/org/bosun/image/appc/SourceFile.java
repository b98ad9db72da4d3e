package org.bosun.image.appc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.HexFormat;
import java.util.Map;

/**
 * What identifies the contents of a local ACI file without reading it: device, inode, size,
 * modification and change time (as git's index does), plus the SHA-512 of its bytes when it was
 * imported. Any write to the file, and any replacement of it, changes the change time or the
 * inode, and the change time cannot be set back by a user; so an equal stat means the bytes the
 * store imported. Recorded in the image's metadata under {@link #key(Path)}.
 *
 * @param sha512 hex SHA-512 of the file's bytes, to check a signature's verified bytes against
 */
record SourceFile(long device, long inode, long size, long modifiedNanos, long changedNanos, String sha512) {
    private static final String KEY_PREFIX = "sourceFile:";

    /** The metadata key of the file at {@code file}: one per path, as the same image may come from several. */
    static String key(Path file) {
        return KEY_PREFIX + file;
    }

    /** Whether a metadata key is one of these records, for the file {@code file} reference. */
    static boolean isKey(String key) {
        return key.startsWith(KEY_PREFIX);
    }

    /** The path a metadata key is about. */
    static Path pathOf(String key) {
        return Path.of(key.substring(KEY_PREFIX.length()));
    }

    /** The file's identity now; its SHA-512 is not known yet. */
    static SourceFile stat(Path file) throws IOException {
        Map<String, Object> a = Files.readAttributes(file, "unix:dev,ino,size,lastModifiedTime,ctime");
        return new SourceFile((Long) a.get("dev"), (Long) a.get("ino"), (Long) a.get("size"),
                nanos((FileTime) a.get("lastModifiedTime")), nanos((FileTime) a.get("ctime")), null);
    }

    SourceFile withSha512(byte[] digest) {
        return new SourceFile(device, inode, size, modifiedNanos, changedNanos, HexFormat.of().formatHex(digest));
    }

    /** Same device, inode, size and times; the digest is not compared. */
    boolean sameFile(SourceFile other) {
        return other != null && device == other.device && inode == other.inode && size == other.size
                && modifiedNanos == other.modifiedNanos && changedNanos == other.changedNanos;
    }

    /** The record as stored: {@code dev ino size mtime ctime sha512}. */
    String text() {
        return device + " " + inode + " " + size + " " + modifiedNanos + " " + changedNanos + " " + sha512;
    }

    /** A stored record, or null when there is none or it is not one (an older bosun's). */
    static SourceFile parse(String text) {
        if (text == null) {
            return null;
        }
        String[] f = text.split(" ");
        if (f.length != 6 || !f[5].matches("[0-9a-f]{128}")) {
            return null;
        }
        try {
            return new SourceFile(Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2]),
                    Long.parseLong(f[3]), Long.parseLong(f[4]), f[5]);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static long nanos(FileTime t) {
        return t.to(java.util.concurrent.TimeUnit.NANOSECONDS);
    }
}
