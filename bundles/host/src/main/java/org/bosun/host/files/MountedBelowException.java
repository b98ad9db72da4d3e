package org.bosun.host.files;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** A tree was not deleted because file systems are mounted at or below it; nothing of it was touched. */
public final class MountedBelowException extends IOException {
    private static final long serialVersionUID = 1L;

    private final transient List<Path> mounts;

    MountedBelowException(Path tree, List<Path> mounts) {
        super(tree + " has " + mounts.size() + " mount(s) at or below it, first " + mounts.get(0)
                + "; unmount them (umount -R " + mounts.get(0) + ") and try again");
        this.mounts = List.copyOf(mounts);
    }

    /** The mount points, in mount order. */
    public List<Path> mounts() {
        return mounts;
    }
}
