package org.bosun.stage1.oci;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.bosun.api.stage1.PodDirectory;
import org.bosun.stage1.rules.EtcMountPoints;

/** The container's file systems: the kernel's, the app's init, the pod's volumes and etc files. */
final class MountOpts {
    /** Where each app sees its own cgroups, read-only. */
    static final String CGROUP_MOUNT = "/sys/fs/cgroup";
    private static final Path HOST_MQUEUE = Path.of("/dev/mqueue");
    private static final Path HOST_DEV = Path.of("/dev");
    /** Directories of /dev a privileged app does not get from the host: its own pts, shm and mqueue, and tools' own. */
    private static final java.util.Set<String> OWN_DEV_DIRS = java.util.Set.of("pts", "shm", "fd", "mqueue", ".lxc",
            ".lxd-mounts", ".udev");
    /** The nodes every container has of its own (the runtime makes them), not the host's. */
    private static final java.util.Set<String> OWN_DEV_NODES = java.util.Set.of("/dev/null", "/dev/zero", "/dev/full",
            "/dev/random", "/dev/urandom", "/dev/tty", "/dev/console", "/dev/ptmx");
    private static final int S_IFMT = 0170000;
    private static final int S_IFCHR = 0020000;
    private static final int S_IFBLK = 0060000;

    private MountOpts() {
    }

    /**
     * @param init the host's static init binary (catatonit) that is PID 1 of every app container,
     *        see {@link AppInit}
     */
    static SpecOpt app(PodDirectory pod, PodDirectory.App app, String id, Path init) {
        List<OciSpec.Mount> mounts = new ArrayList<>();
        mounts.add(mount("/proc", "proc", "proc", "nosuid", "noexec", "nodev"));
        mounts.add(mount("/dev", "tmpfs", "tmpfs", "nosuid", "strictatime", "mode=755", "size=65536k"));
        mounts.add(mount("/dev/pts", "devpts", "devpts", "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620",
                "gid=5"));
        mounts.add(mount("/dev/shm", "tmpfs", "shm", "nosuid", "noexec", "nodev", "mode=1777", "size=65536k"));
        if (pod.settings().hostIpc() && pod.settings().userNamespace() != null) {
            // A user namespace may mount no mqueue of an IPC namespace it does not own: the host's own
            // /dev/mqueue is bound, when the host has one (the queues themselves work without it).
            if (Files.isDirectory(HOST_MQUEUE)) {
                mounts.add(mount("/dev/mqueue", "bind", HOST_MQUEUE.toString(), "rbind", "nosuid", "noexec", "nodev",
                        "rprivate"));
            }
        } else {
            mounts.add(mount("/dev/mqueue", "mqueue", "mqueue", "nosuid", "noexec", "nodev"));
        }
        // a privileged app (the host's devices) has /sys and its cgroups writable, as runc gives a privileged container
        String sysAccess = app.security().hostDevices() ? "rw" : "ro";
        mounts.add(mount("/sys", "sysfs", "sysfs", "nosuid", "noexec", "nodev", sysAccess));
        mounts.add(mount(CGROUP_MOUNT, "cgroup", "cgroup", "nosuid", "noexec", "nodev", "relatime", sysAccess));
        if (app.security().hostDevices()) {
            for (String node : hostDevices(HOST_DEV)) {
                mounts.add(mount(node, "bind", node, "bind", "rprivate"));
            }
        }
        mounts.add(mount(ProcessOpts.INIT_TARGET, "bind", init.toString(), "bind", "ro", "nosuid", "nodev", "rprivate"));
        String rootfsPropagation = null;
        for (int i = 0; i < app.mounts().size(); i++) {
            PodDirectory.Mount m = app.mounts().get(i);
            if (m.propagates()) {
                // the host's mount, attached in the supervisor's namespace when the app starts (VolumeStaging)
                String source = ContainerSpecs.relative(pod, id, VolumeStaging.path(pod, app.name(), i));
                List<String> options = new ArrayList<>(List.of("rbind", m.readOnly() ? "ro" : "rw"));
                if (m.readOnly()) {
                    options.add("rro");
                }
                options.add(m.propagation());
                mounts.add(new OciSpec.Mount(m.target(), "bind", source, options));
                // as containerd: the container's root rshared for a bidirectional mount, else rslave
                if (!PodDirectory.Mount.RSHARED.equals(rootfsPropagation)) {
                    rootfsPropagation = m.propagation();
                }
                continue;
            }
            // A file has no mounts below it, and crun refuses "rro" on one (it opens the target as a directory).
            boolean recursive = m.recursive() && !Files.isRegularFile(m.source());
            mounts.add(volume(m.target(), ContainerSpecs.relative(pod, id, m.source()), m.readOnly(), recursive));
        }
        Path etc = pod.settings().etcDir();
        if (etc != null) {
            for (String file : EtcMountPoints.present(pod, app)) {
                mounts.add(mount("/etc/" + file, "bind", ContainerSpecs.relative(pod, id, etc.resolve(file)), "bind",
                        "ro", "rprivate"));
            }
        }
        String propagation = rootfsPropagation;
        return spec -> {
            OciSpec withMounts = spec.withMoreMounts(mounts);
            return propagation == null ? withMounts : withMounts.linux(l -> l.withRootfsPropagation(propagation));
        };
    }

    /**
     * A volume's bind. "ro" makes only the bind's own mount read-only: the mounts below a recursive
     * bind's source would stay writable, so a read-only recursive volume also says "rro", which both
     * runtimes apply to the whole tree at once (mount_setattr(2) with AT_RECURSIVE, Linux 5.12).
     */
    static OciSpec.Mount volume(String target, String source, boolean readOnly, boolean recursive) {
        if (!recursive) {
            return mount(target, "bind", source, "bind", readOnly ? "ro" : "rw", "rprivate");
        }
        return readOnly ? mount(target, "bind", source, "rbind", "ro", "rro", "rprivate")
                : mount(target, "bind", source, "rbind", "rw", "rprivate");
    }

    /** The infra container's: /proc, a small /dev, and the host's /usr, read-only, for its sleep. */
    static SpecOpt infra() {
        List<OciSpec.Mount> mounts = List.of(mount("/proc", "proc", "proc", "nosuid", "noexec", "nodev"),
                mount("/dev", "tmpfs", "tmpfs", "nosuid", "noexec", "mode=755", "size=64k"),
                mount("/usr", "bind", "/usr", "rbind", "ro", "nosuid", "nodev"));
        return spec -> spec.withMoreMounts(mounts);
    }

    static OciSpec.Mount mount(String destination, String type, String source, String... options) {
        return new OciSpec.Mount(destination, type, source, List.of(options));
    }

    /**
     * The host's device nodes below {@code dev} (character and block, not through symlinks), as runc
     * lists them for a privileged container: not those of {@link #OWN_DEV_DIRS}, and not the nodes
     * the container has of its own. A privileged app gets each bound at the same path.
     */
    static List<String> hostDevices(Path dev) {
        List<String> nodes = new ArrayList<>();
        try (var walk = Files.walk(dev)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                Path rel = dev.relativize(p);
                if (rel.getNameCount() > 0 && OWN_DEV_DIRS.contains(rel.getName(0).toString())) {
                    continue;
                }
                String path = HOST_DEV.resolve(rel).toString();
                if (OWN_DEV_NODES.contains(path) || Files.isSymbolicLink(p)) {
                    continue;
                }
                int mode = (Integer) Files.getAttribute(p, "unix:mode", java.nio.file.LinkOption.NOFOLLOW_LINKS);
                if ((mode & S_IFMT) == S_IFCHR || (mode & S_IFMT) == S_IFBLK) {
                    nodes.add(path);
                }
            }
        } catch (java.io.IOException | java.io.UncheckedIOException e) {
            throw org.bosun.api.BosunException.internal("cannot list the host's devices in " + dev
                    + " for a privileged app", e instanceof java.io.UncheckedIOException u ? u.getCause() : e);
        }
        java.util.Collections.sort(nodes);
        return nodes;
    }
}
