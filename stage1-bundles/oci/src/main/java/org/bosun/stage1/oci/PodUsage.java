package org.bosun.stage1.oci;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.bosun.api.BosunException;
import org.bosun.api.app.AppStats;
import org.bosun.api.app.InterfaceUsage;
import org.bosun.api.app.LayerUsage;
import org.bosun.api.app.PodStats;
import org.bosun.api.app.ResourceUsage;
import org.bosun.api.stage1.PodDirectory;
import org.bosun.host.NetDevices;
import org.bosun.host.cgroup.CgroupUsage;
import org.bosun.host.files.TreeUsage;

/**
 * What a pod of the oci engine and its apps use. The pod's cgroups are those {@code engine/run}
 * recorded ({@link PodCgroups}), one per hierarchy; an app's container is the cgroup
 * {@code app-NAME} below each ({@link ResourceOpts#cgroup}), whatever the runtime. An app's writable
 * layer is its overlay's upper directory, or its whole rootfs where it runs on a copy. The pod's
 * interfaces are read from {@code /proc/PID/net/dev} of a process in its network namespace (the
 * supervisor, or an app's init), else through {@code nsenter --net}.
 */
final class PodUsage {
    private static final long NSENTER_SECONDS = 5;

    private PodUsage() {
    }

    static AppStats app(PodDirectory pod, PodDirectory.App app) {
        ResourceUsage usage = running(pod, app) ? CgroupUsage.read(cgroups(pod, app)) : null;
        LayerUsage layer = TreeUsage.of(app.overlay() ? app.upperDir() : app.rootfs());
        return new AppStats(app.name(), usage, layer);
    }

    static PodStats pod(PodDirectory pod) {
        ResourceUsage usage = CgroupUsage.read(PodCgroups.recorded(pod.stage1Dir(), pod.uuid()));
        List<AppStats> apps = new ArrayList<>();
        for (PodDirectory.App app : pod.apps()) {
            apps.add(app(pod, app));
        }
        Instant now = Instant.now();
        return new PodStats(usage, now, interfaces(pod), apps);
    }

    /** The app's cgroup directories on the host, one per hierarchy of the pod. */
    static List<Path> cgroups(PodDirectory pod, PodDirectory.App app) {
        return PodCgroups.recorded(pod.stage1Dir(), pod.uuid()).stream()
                .map(dir -> dir.resolve(ContainerSpecs.appId(app.name()))).toList();
    }

    private static boolean running(PodDirectory pod, PodDirectory.App app) {
        try {
            OciEngine.appPid(pod, app);
            return true;
        } catch (BosunException e) {
            return false;
        }
    }

    private static List<InterfaceUsage> interfaces(PodDirectory pod) {
        Path netns = pod.settings().netns();
        if (netns == null) {
            return List.of(); // the host's network: its traffic is not the pod's
        }
        List<Long> candidates = new ArrayList<>();
        candidates.add(OciEngine.supervisorPid(pod));
        for (PodDirectory.App app : pod.apps()) {
            try {
                candidates.add(OciEngine.appPid(pod, app));
            } catch (BosunException e) {
                // not running
            }
        }
        for (long pid : candidates) {
            try {
                if (Files.isSameFile(Path.of("/proc/" + pid + "/ns/net"), netns)) {
                    return NetDevices.of(pid);
                }
            } catch (IOException e) {
                // exited meanwhile
            }
        }
        return throughNsenter(pod, netns);
    }

    private static List<InterfaceUsage> throughNsenter(PodDirectory pod, Path netns) {
        try {
            Process p = new ProcessBuilder(OciEngine.NSENTER, "--net=" + netns, "--", SupervisorScript.AWK, "{print}",
                    "/proc/net/dev").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(NSENTER_SECONDS, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw BosunException.internal("cannot read the interfaces of pod " + pod.uuid() + " in " + netns + ": "
                        + out.trim(), null);
            }
            return NetDevices.parse(out.lines().toList());
        } catch (IOException e) {
            throw BosunException.internal("cannot read the interfaces of pod " + pod.uuid() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw BosunException.cancelled("reading the interfaces of pod " + pod.uuid() + " was cancelled");
        }
    }
}
