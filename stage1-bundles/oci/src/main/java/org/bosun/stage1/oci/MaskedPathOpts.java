package org.bosun.stage1.oci;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import org.bosun.api.security.SecurityPolicy;

/** The paths the container sees masked (empty, or refused) and read-only. */
final class MaskedPathOpts {
    private static final Function<String, List<String>> HOST_CHILDREN = MaskedPathOpts::hostChildren;

    private MaskedPathOpts() {
    }

    /**
     * The policy's paths as the core resolved them (its defaults when no module gave any, none when
     * their protection is off); empty lists stay written, see {@link #none()}.
     */
    static SpecOpt app(SecurityPolicy policy) {
        List<String> masked = maskedPaths(policy.maskedPaths(), HOST_CHILDREN);
        List<String> readonly = policy.readonlyPaths();
        return spec -> spec.linux(l -> l.withPaths(masked, readonly));
    }

    /** Empty lists, written as such: without them the runtime would apply defaults of its own. */
    static SpecOpt none() {
        return spec -> spec.linux(l -> l.withPaths(List.of(), List.of()));
    }

    /**
     * The masked paths as the runtime gets them. The runtimes mask after mounting, so a masked
     * ancestor of the app's own cgroups ({@code /sys/fs}, as rkt's kernel protections mask it) would
     * hide them: it is masked entry by entry instead, every entry but the way to
     * {@value MountOpts#CGROUP_MOUNT} (what nspawn does when it mounts the cgroups over an inaccessible
     * /sys/fs). The entries are the host's: the app's /sys shows the same kernel's.
     *
     * @param children the names in a directory of the host
     */
    static List<String> maskedPaths(List<String> masked, Function<String, List<String>> children) {
        List<String> out = new ArrayList<>();
        for (String path : masked) {
            String dir = path.endsWith("/") && path.length() > 1 ? path.substring(0, path.length() - 1) : path;
            if (MountOpts.CGROUP_MOUNT.startsWith(dir.equals("/") ? "/" : dir + "/")) {
                maskAround(dir, children, out);
            } else {
                out.add(path);
            }
        }
        return out;
    }

    private static void maskAround(String dir, Function<String, List<String>> children, List<String> out) {
        for (String name : children.apply(dir).stream().sorted().toList()) {
            String child = (dir.equals("/") ? "" : dir) + "/" + name;
            if (child.equals(MountOpts.CGROUP_MOUNT)) {
                continue;
            }
            if (MountOpts.CGROUP_MOUNT.startsWith(child + "/")) {
                maskAround(child, children, out);
            } else {
                out.add(child);
            }
        }
    }

    private static List<String> hostChildren(String dir) {
        try (var entries = Files.list(Path.of(dir))) {
            return entries.map(p -> p.getFileName().toString()).toList();
        } catch (IOException e) {
            return List.of();
        }
    }
}
