package org.bosun.image.appc;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorOutputStream;

/** Builds ACI files entry by entry, including the malicious ones no real tool would write. */
final class Aci {
    static final Instant MTIME = Instant.parse("2020-01-02T03:04:05Z");

    enum Compression { NONE, GZIP, BZIP2, XZ }

    private record Entry(TarArchiveEntry header, byte[] content) {
    }

    private final List<Entry> entries = new ArrayList<>();

    static String manifestJson(String name) {
        return "{\"acKind\":\"ImageManifest\",\"acVersion\":\"0.8.11\",\"name\":\"" + name + "\","
                + "\"labels\":[{\"name\":\"version\",\"value\":\"1.0\"},{\"name\":\"os\",\"value\":\"linux\"}],"
                + "\"app\":{\"exec\":[\"/bin/sh\",\"-c\",\"true\"],\"user\":\"0\",\"group\":\"0\"}}";
    }

    /** An ACI with a valid manifest and an empty rootfs/ directory. */
    static Aci minimal() {
        return new Aci().manifest(manifestJson("example.com/test")).dir("rootfs", 0755, 0, 0);
    }

    Aci manifest(String json) {
        return file("manifest", json.getBytes(StandardCharsets.UTF_8), 0644, 0, 0);
    }

    Aci dir(String name, int mode, int uid, int gid) {
        TarArchiveEntry e = header(name.endsWith("/") ? name : name + "/", TarConstants.LF_DIR);
        e.setMode(040000 | mode);
        e.setIds(uid, gid);
        return add(e, null);
    }

    Aci file(String name, String content) {
        return file(name, content.getBytes(StandardCharsets.UTF_8), 0644, 0, 0);
    }

    Aci file(String name, byte[] content, int mode, int uid, int gid) {
        TarArchiveEntry e = header(name, TarConstants.LF_NORMAL);
        e.setMode(0100000 | mode);
        e.setIds(uid, gid);
        e.setSize(content.length);
        return add(e, content);
    }

    Aci symlink(String name, String target) {
        return symlink(name, target, 0, 0);
    }

    Aci symlink(String name, String target, int uid, int gid) {
        TarArchiveEntry e = header(name, TarConstants.LF_SYMLINK);
        e.setLinkName(target);
        e.setMode(0120777);
        e.setIds(uid, gid);
        return add(e, null);
    }

    Aci hardLink(String name, String target) {
        TarArchiveEntry e = header(name, TarConstants.LF_LINK);
        e.setLinkName(target);
        e.setMode(0100644);
        return add(e, null);
    }

    Aci special(String name, byte type) {
        TarArchiveEntry e = header(name, type);
        e.setMode(type == TarConstants.LF_FIFO ? 010644 : 0600);
        if (type == TarConstants.LF_CHR || type == TarConstants.LF_BLK) {
            e.setDevMajor(type == TarConstants.LF_CHR ? 1 : 8);
            e.setDevMinor(type == TarConstants.LF_CHR ? 3 : 0);
        }
        return add(e, null);
    }

    private static TarArchiveEntry header(String name, byte type) {
        // preserveAbsolutePath: keep names exactly as given, leading '/' included.
        TarArchiveEntry e = new TarArchiveEntry(name, type, true);
        e.setModTime(FileTime.from(MTIME));
        return e;
    }

    private Aci add(TarArchiveEntry header, byte[] content) {
        entries.add(new Entry(header, content));
        return this;
    }

    /** The uncompressed tar stream, exactly as it is written to an uncompressed ACI. */
    byte[] tar() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            for (Entry e : entries) {
                tar.putArchiveEntry(e.header());
                if (e.content() != null) {
                    tar.write(e.content());
                }
                tar.closeArchiveEntry();
            }
            tar.finish();
        }
        return bytes.toByteArray();
    }

    Path writeTo(Path file) throws IOException {
        return writeTo(file, Compression.GZIP);
    }

    Path writeTo(Path file, Compression compression) throws IOException {
        byte[] tar = tar();
        Files.createDirectories(file.getParent());
        try (OutputStream out = compressed(Files.newOutputStream(file), compression)) {
            out.write(tar);
        }
        return file;
    }

    private static OutputStream compressed(OutputStream out, Compression compression) throws IOException {
        return switch (compression) {
            case NONE -> out;
            case GZIP -> new GzipCompressorOutputStream(out);
            case BZIP2 -> new BZip2CompressorOutputStream(out);
            case XZ -> new XZCompressorOutputStream(out);
        };
    }

    static String sha512Id(byte[] bytes) throws Exception {
        return "sha512-" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-512").digest(bytes));
    }
}
