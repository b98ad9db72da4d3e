package org.bosun.host.archive;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;

/**
 * A tar entry that {@link TarEntryCheck} accepted.
 *
 * @param header the entry as the archive holds it (owner, mode, time, size)
 * @param name its clean relative name below the archive's prefix, never empty
 * @param type what it is
 * @param link for a symbolic link its target as written; for a hard link the clean name (below the
 *        prefix) of the file it links to; else null
 */
public record TarEntry(TarArchiveEntry header, String name, Type type, String link) {
    /** The entry types an extraction writes; every other type is refused. */
    public enum Type {
        DIRECTORY, FILE, SYMLINK, HARD_LINK
    }

    /** The entry's name as the archive holds it, for messages. */
    public String rawName() {
        return header.getName();
    }

    /** The last component of {@link #name()}. */
    public String baseName() {
        return name.substring(name.lastIndexOf('/') + 1);
    }
}
