package org.bosun.host.archive;

import java.util.List;
import java.util.function.BiFunction;

/**
 * The hostile image contents of issue 12 item 9, each written as an image format holds its tree:
 * below {@code rootfs/} in an ACI, at the top of an OCI or Docker layer. Shared by the formats'
 * tests and the end-to-end tests, which check that a fetch refuses every one in one line naming
 * the entry (and leaves nothing in the store).
 */
public enum HostileContent {
    DOT_DOT("an entry that climbs out with ..", "../bosun-hostile-escape",
            (tar, p) -> tar.raw(p + "../bosun-hostile-escape", "escaped")),
    DOT_DOT_INSIDE("an entry with .. in its middle", "bin/../../bosun-hostile-escape",
            (tar, p) -> tar.dir(p + "bin", 0755).raw(p + "bin/../../bosun-hostile-escape", "escaped")),
    ABSOLUTE("an absolute entry", "/tmp/bosun-hostile-absolute",
            (tar, p) -> tar.raw("/tmp/bosun-hostile-absolute", "escaped")),
    SYMLINK_THEN_WRITE("a symbolic link, then a write through it", "link/bosun-hostile-written",
            (tar, p) -> tar.symlink(p + "link", "/tmp").file(p + "link/bosun-hostile-written", "written")),
    HARD_LINK_TO_HOST_FILE("a hard link to a host file", "shadow",
            (tar, p) -> tar.hardLink(p + "shadow", "/etc/shadow")),
    HARD_LINK_THROUGH_DOT_DOT("a hard link through ..", "shadow",
            (tar, p) -> tar.hardLink(p + "shadow", p + "../../../../etc/shadow")),
    HARD_LINK_THROUGH_SYMLINK("a hard link through a symbolic link", "shadow",
            (tar, p) -> tar.symlink(p + "etc-link", "/etc").hardLink(p + "shadow", p + "etc-link/shadow")),
    HARD_LINK_TO_SYMLINK("a hard link to a symbolic link to a host file", "h",
            (tar, p) -> tar.symlink(p + "s", "/etc/shadow").hardLink(p + "h", p + "s")),
    BLOCK_DEVICE("a block device (the host's loop0)", "dev/loop0",
            (tar, p) -> tar.dir(p + "dev", 0755).blockDevice(p + "dev/loop0", 7, 0)),
    CHARACTER_DEVICE("a character device", "dev/mem",
            (tar, p) -> tar.dir(p + "dev", 0755).device(p + "dev/mem")),
    SYMLINK_OUT("a symbolic link out of the tree", "out",
            (tar, p) -> tar.symlink(p + "out", "../../../../../..")),
    SYMLINK_OUT_THROUGH_LINKS("a symbolic link that climbs out through another", "a",
            (tar, p) -> tar.dir(p + "x", 0755).symlink(p + "x/up", "..").symlink(p + "a", "x/up/..")),
    DEV_AS_SYMLINK("/dev as a symbolic link", "dev",
            (tar, p) -> tar.symlink(p + "dev", "/tmp")),
    PASSWD_LINKED_OUT("/etc/passwd linked out of the tree", "etc/passwd",
            (tar, p) -> tar.dir(p + "etc", 0755).symlink(p + "etc/passwd", "../../../../../etc/passwd")),
    WHITEOUT_DOT_DOT("an OCI whiteout of ..", "etc/.wh...",
            (tar, p) -> tar.dir(p + "etc", 0755).file(p + "etc/.wh...", "")),
    ROOTFS_AS_SYMLINK("an ACI whose rootfs is a symbolic link", "rootfs",
            (tar, p) -> tar),
    FIFO("a FIFO", "run/pipe",
            (tar, p) -> tar.dir(p + "run", 0755).fifo(p + "run/pipe"));

    /** What it is, for messages. */
    public final String what;
    private final String entry;
    private final BiFunction<Tar, String, Tar> content;

    HostileContent(String what, String entry, BiFunction<Tar, String, Tar> content) {
        this.what = what;
        this.entry = entry;
        this.content = content;
    }

    /** Whether an ACI can hold it. */
    public boolean inAci() {
        return this != WHITEOUT_DOT_DOT;
    }

    /** Whether an OCI or Docker layer can hold it. */
    public boolean inLayer() {
        return this != ROOTFS_AS_SYMLINK;
    }

    /** The name of the refused entry as the archive holds it, {@code prefix} ({@code rootfs/} or "") included. */
    public String entry(String prefix) {
        if (this == ROOTFS_AS_SYMLINK || this == ABSOLUTE) {
            return entry;
        }
        return prefix + entry;
    }

    /** A layer holding it. */
    public Tar layer() {
        return content.apply(new Tar().dir("bin", 0755).file("bin/sh", "#!/bin/true\n", 0755, 0, 0), "");
    }

    /** An ACI holding it, with a valid manifest named {@code name}. */
    public Tar aci(String name) {
        Tar tar = new Tar().file("manifest", ImageArchives.aciManifest(name));
        if (this == ROOTFS_AS_SYMLINK) {
            return tar.symlink("rootfs", "/");
        }
        return content.apply(tar.dir("rootfs", 0755).dir("rootfs/bin", 0755), "rootfs/");
    }

    /** Those an ACI can hold. */
    public static List<HostileContent> forAci() {
        return List.of(values()).stream().filter(HostileContent::inAci).toList();
    }

    /** Those a layer can hold. */
    public static List<HostileContent> forLayers() {
        return List.of(values()).stream().filter(HostileContent::inLayer).toList();
    }
}
