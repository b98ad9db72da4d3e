package org.bosun.host.archive;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/** A tar archive that tests craft entry by entry, good or hostile (also used by the image formats' tests). */
public final class Tar {
    /** The modification time of every entry. */
    public static final Instant MTIME = Instant.parse("2020-01-02T03:04:05Z");

    private final List<TarArchiveEntry> entries = new ArrayList<>();
    private final List<byte[]> contents = new ArrayList<>();

    public Tar dir(String name, int mode) {
        TarArchiveEntry e = new TarArchiveEntry(name.endsWith("/") ? name : name + "/");
        e.setMode(040000 | mode);
        return add(e, null);
    }

    public Tar file(String name, String content, int mode, int uid, int gid) {
        return file(name, content.getBytes(StandardCharsets.UTF_8), mode, uid, gid);
    }

    public Tar file(String name, byte[] bytes, int mode, int uid, int gid) {
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setMode(0100000 | mode);
        e.setSize(bytes.length);
        e.setUserId(uid);
        e.setGroupId(gid);
        return add(e, bytes);
    }

    public Tar file(String name, String content) {
        return file(name, content, 0644, 0, 0);
    }

    public Tar symlink(String name, String target) {
        TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_SYMLINK);
        e.setLinkName(target);
        return add(e, null);
    }

    public Tar hardLink(String name, String target) {
        TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_LINK);
        e.setLinkName(target);
        return add(e, null);
    }

    public Tar device(String name) {
        TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_CHR);
        e.setDevMajor(1);
        e.setDevMinor(3);
        return add(e, null);
    }

    public Tar blockDevice(String name, int major, int minor) {
        TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_BLK);
        e.setDevMajor(major);
        e.setDevMinor(minor);
        return add(e, null);
    }

    public Tar fifo(String name) {
        return add(new TarArchiveEntry(name, TarConstants.LF_FIFO), null);
    }

    /** An entry with its name written as is (TarArchiveEntry would strip a leading slash). */
    public Tar raw(String name, String content) {
        TarArchiveEntry e = new TarArchiveEntry(name, true);
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        e.setSize(bytes.length);
        e.setMode(0100644);
        return add(e, bytes);
    }

    private Tar add(TarArchiveEntry e, byte[] content) {
        e.setModTime(FileTime.from(MTIME));
        entries.add(e);
        contents.add(content);
        return this;
    }

    public byte[] bytes() {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
                tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
                for (int i = 0; i < entries.size(); i++) {
                    tar.putArchiveEntry(entries.get(i));
                    if (contents.get(i) != null) {
                        tar.write(contents.get(i));
                    }
                    tar.closeArchiveEntry();
                }
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public byte[] gzipped() {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
                gz.write(bytes());
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
