package org.bosun.stage1.nspawn;

import java.util.ArrayList;
import java.util.List;

import org.bosun.api.BosunException;
import org.bosun.api.security.SelinuxLabels;
import org.bosun.api.stage1.PodDirectory;

/**
 * The pod's SELinux labels as systemd-nspawn takes them: {@code -Z} ({@code --selinux-context=}) for
 * the pod's processes, {@code -L} ({@code --selinux-apifs-context=}) for the file systems it mounts.
 * systemd-nspawn labels the whole pod, so its apps must share one pair of labels (the selinux module
 * gives every app of a pod the pod's); a pod whose apps differ is refused rather than half-labelled.
 */
final class PodSelinux {
    private PodSelinux() {
    }

    static List<String> nspawnFlags(PodDirectory pod) {
        SelinuxLabels labels = null;
        for (PodDirectory.App app : pod.apps()) {
            SelinuxLabels own = app.security().selinuxLabels();
            if (labels != null && !labels.equals(own)) {
                throw BosunException.invalid("pod " + pod.uuid() + ": its apps have different SELinux labels, and"
                        + " systemd-nspawn labels a pod as a whole; use --stage1-name=oci");
            }
            labels = own;
        }
        List<String> flags = new ArrayList<>();
        if (labels != null && labels.process() != null) {
            flags.add("-Z" + labels.process());
        }
        if (labels != null && labels.mount() != null) {
            flags.add("-L" + labels.mount());
        }
        return flags;
    }
}
