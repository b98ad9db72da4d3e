package org.bosun.stage1.oci;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.bosun.api.BosunException;
import org.bosun.api.stage1.PodDirectory;

/**
 * A {@code --private-users} pod's containers are set up by the runtime from inside the pod's user
 * namespace, where the pod's root is an unprivileged host uid: it must be able to reach the rootfs
 * and bundles, so every directory above the pod must be searchable by others ({@code o+x}), as
 * containers/storage keeps its directories {@code 0711} for the same reason. bosun's own
 * directories are; a data dir inside a private one ({@code mktemp -d}) is refused at prepare, naming
 * it, instead of failing at run with the runtime's "permission denied".
 */
final class UserNamespaceAccess {
    private static final int OTHERS_SEARCH = 01;

    private UserNamespaceAccess() {
    }

    static void check(PodDirectory pod) {
        if (pod.settings().userNamespace() == null) {
            return;
        }
        for (Path dir = pod.path().toAbsolutePath().getParent(); dir != null; dir = dir.getParent()) {
            int mode;
            try {
                mode = (Integer) Files.getAttribute(dir, "unix:mode");
            } catch (IOException e) {
                throw BosunException.internal("cannot read the mode of " + dir + ": " + e.getMessage(), e);
            }
            if ((mode & OTHERS_SEARCH) == 0) {
                throw BosunException.invalid("pod " + pod.uuid() + ": with --private-users the runtime works as the"
                        + " pod's unprivileged host uid, which cannot pass " + dir + " (mode "
                        + Integer.toOctalString(mode & 07777) + "); make it searchable (chmod o+x " + dir
                        + ") or use a --dir whose parents are");
            }
        }
    }
}
