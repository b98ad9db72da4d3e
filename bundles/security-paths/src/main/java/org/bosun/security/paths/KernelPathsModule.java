package org.bosun.security.paths;

import java.util.List;

import org.bosun.api.BosunException;
import org.bosun.api.InsecureOption;
import org.bosun.api.RuntimePaths;
import org.bosun.api.security.Protection;
import org.bosun.api.security.SecurityContext;
import org.bosun.api.security.SecurityModule;
import org.bosun.api.security.SecurityModuleService;
import org.bosun.api.security.SecurityPolicy;
import org.osgi.service.component.annotations.Component;

/**
 * rkt's "protect kernel tunables" (stage1/init/common/app.go): the /proc and /sys entries through
 * which a process could read kernel memory or change the host (sysrq, core_pattern, modprobe,
 * devices, firmware) are masked or read-only in every app; {@code --insecure-options=paths} leaves
 * them as the engine mounts them. An app whose settings give lists of its own (the CRI's
 * {@code masked_paths} and {@code readonly_paths}, which kubelet fills with its defaults) gets exactly
 * those instead of these; an empty list is this default. A masked path reads as nothing: the engine hides it (systemd
 * {@code InaccessiblePaths=}, OCI {@code maskedPaths}). {@code /dev} is the engine's own minimal
 * one in every case (null, zero, full, random, urandom, tty, console, ptmx, pts, shm): no host
 * device reaches an app.
 */
@Component(service = SecurityModule.class, property = "service.ranking:Integer=200")
@SecurityModuleService(name = KernelPathsModule.NAME)
public final class KernelPathsModule implements SecurityModule {
    static final String NAME = "paths";

    /** rkt's protectKernelHiddenDirs and protectKernelHiddenPaths. */
    static final List<String> MASKED = List.of("/proc/config.gz", "/proc/kallsyms", "/proc/sched_debug", "/proc/kcore",
            "/proc/kmem", "/proc/mem", "/proc/timer_list", "/proc/keys", "/sys/firmware", "/sys/fs", "/sys/hypervisor",
            "/sys/module", "/sys/power");
    /** rkt's protectKernelROPaths, plus /proc/sys as a whole (OCI's default read-only paths have it too). */
    static final List<String> READ_ONLY = List.of("/proc/bus", "/proc/sys", "/proc/sysrq-trigger", "/proc/irq",
            "/sys/block", "/sys/bus", "/sys/class", "/sys/dev", "/sys/devices", "/sys/kernel");

    @Override
    public SecurityPolicy contribute(SecurityContext context, SecurityPolicy policy) {
        if (context.insecure().contains(InsecureOption.PATHS)) {
            return policy.withProtectionOff(Protection.PATHS);
        }
        List<String> masked = context.settings().maskedPaths();
        List<String> readonly = context.settings().readonlyPaths();
        String app = "app " + context.appName();
        return policy.withPaths(masked.isEmpty() ? MASKED : checked(masked, app + ": masked path"),
                readonly.isEmpty() ? READ_ONLY : checked(readonly, app + ": read-only path"));
    }

    /**
     * An app's own paths, each absolute and normal (no {@code .} or {@code ..} part, no empty one, no
     * control character): the engines mask or bind exactly that path of the app's tree.
     */
    static List<String> checked(List<String> paths, String what) {
        for (String path : paths) {
            boolean ok = path.startsWith("/") && path.length() > 1 && !path.endsWith("/")
                    && path.chars().noneMatch(c -> c < 0x20 || c == 0x7f);
            for (String part : ok ? path.substring(1).split("/", -1) : new String[0]) {
                ok &= !part.isEmpty() && !part.equals(".") && !part.equals("..");
            }
            if (!ok) {
                throw BosunException.invalid(what + " '" + path.replace("\n", "\\n") + "' is not a normal absolute"
                        + " path; give paths such as /proc/kcore, without . or .. parts or a trailing /");
            }
        }
        return List.copyOf(new java.util.LinkedHashSet<>(paths));
    }

    @Override
    public String inactiveReason(RuntimePaths paths) {
        return null;
    }
}
