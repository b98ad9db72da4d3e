package org.bosun.host.files;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The mount points of this process's mount namespace, from {@code /proc/self/mountinfo}. */
public final class MountPoints {
    private MountPoints() {
    }

    /**
     * Every mount point at or below {@code dir}, in mount order. mountinfo names real paths, so
     * {@code dir} must be one too (see {@link FileTree#delete}).
     */
    public static List<Path> under(Path dir) throws IOException {
        List<Path> found = new ArrayList<>();
        for (MountInfo mount : MountInfo.read()) {
            if (mount.mountPoint().startsWith(dir)) {
                found.add(mount.mountPoint());
            }
        }
        return found;
    }
}
