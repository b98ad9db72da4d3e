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
        mounts.add(mount("/sys", "sysfs", "sysfs", "nosuid", "noexec", "nodev", "ro"));
        mounts.add(mount(CGROUP_MOUNT, "cgroup", "cgroup", "nosuid", "noexec", "nodev", "relatime", "ro"));
        mounts.add(mount(ProcessOpts.INIT_TARGET, "bind", init.toString(), "bind", "ro", "nosuid", "nodev", "rprivate"));
        for (PodDirectory.Mount m : app.mounts()) {
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
        return spec -> spec.withMoreMounts(mounts);
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
}
