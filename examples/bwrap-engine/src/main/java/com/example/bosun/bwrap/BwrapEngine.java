package com.example.bosun.bwrap;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.bosun.api.BosunException;
import org.bosun.api.pod.Resources;
import org.bosun.api.security.SecurityPolicy;
import org.bosun.api.security.SelinuxLabels;
import org.bosun.api.stage1.EngineCapabilities;
import org.bosun.api.stage1.EngineCommand;
import org.bosun.api.stage1.PodDirectory;
import org.bosun.api.stage1.Stage1Engine;
import org.bosun.api.stage1.Stage1EngineService;
import org.bosun.seccomp.bpf.SeccompBpf;
import org.osgi.service.component.annotations.Component;

/**
 * An example vendor engine: a pod of one app, run by bubblewrap ({@code bwrap}) in its own mount, PID,
 * IPC, UTS, cgroup and user namespaces, in the network namespace bosun made for the pod (or the host's
 * with {@code --net=host}).
 * <p>
 * The pod's process is {@code [nsenter --net=NETNS] unshare --mount --propagation private sh -c RUN}: the
 * shell mounts the app's overlay in a mount namespace of the pod's own (so nothing reaches the host's and
 * everything goes with the pod), records the start, runs bwrap with the app's streams copied to the
 * caller's and to {@code apps/NAME/log}, and records the exit code in {@code apps/NAME/status}: a
 * supervised engine, in the terms of {@link Stage1Engine}.
 * <p>
 * It enforces the app's resolved security policy with bwrap's own flags (capabilities, masked and
 * read-only paths, a seccomp filter compiled by the SDK's {@link SeccompBpf}) and refuses, in one line at
 * prepare, what it cannot enforce (SELinux labels, resource limits, a pod user namespace, event handlers).
 * It has no app-level operations (it does not implement {@link org.bosun.api.app.AppLifecycle}), so
 * {@code bosun app ...} on its pods answers with the core's not-implemented error, and it does not enter
 * running pods.
 */
@Component(service = Stage1Engine.class)
@Stage1EngineService(name = BwrapEngine.NAME, abiVersion = 1,
        description = "example vendor engine: one app in bubblewrap namespaces")
public final class BwrapEngine implements Stage1Engine {
    static final String NAME = "bwrap";
    static final String BWRAP = "/usr/bin/bwrap";
    static final String UNSHARE = "/usr/bin/unshare";
    static final String NSENTER = "/usr/bin/nsenter";
    static final String SH = "/bin/sh";
    /** The compiled seccomp filter, in the pod's {@link PodDirectory#stage1Dir()}. */
    static final String SECCOMP_FILE = "seccomp.bpf";
    /** The descriptor the run script opens the filter on, for bwrap's {@code --seccomp}. */
    static final int SECCOMP_FD = 9;

    @Override
    public EngineCapabilities capabilities() {
        return new EngineCapabilities(1, true, true, true);
    }

    @Override
    public void prepare(PodDirectory pod) {
        requireTools();
        PodDirectory.App app = onlyApp(pod);
        refuseUnenforceable(pod, app);
        try {
            Path dir = Files.createDirectories(pod.stage1Dir());
            Path filter = dir.resolve(SECCOMP_FILE);
            Files.deleteIfExists(filter);
            String profile = app.security().seccompProfile();
            if (profile != null) {
                Optional<byte[]> program = SeccompBpf.compile(profile);
                if (program.isEmpty()) {
                    throw BosunException.notImplemented("the bwrap engine cannot load app " + app.name()
                            + "'s seccomp profile (it has rules bosun's BPF compiler leaves to libseccomp); run it with"
                            + " --insecure-options=seccomp or --stage1-name=oci");
                }
                Files.write(filter, program.get());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the bwrap engine's files in " + pod.stage1Dir(), e);
        }
    }

    private static void refuseUnenforceable(PodDirectory pod, PodDirectory.App app) {
        String what = null;
        SecurityPolicy policy = app.security();
        if (!SelinuxLabels.NONE.equals(policy.selinuxLabels())) {
            what = "SELinux labels";
        } else if (!Resources.NONE.equals(app.resources())) {
            what = "resource limits (--memory, --cpu, --cpu-shares, --oom-score-adj)";
        } else if (pod.settings().userNamespace() != null || !policy.uidMappings().isEmpty()) {
            what = "a pod user namespace (--private-users)";
        } else if (!app.eventHandlers().isEmpty()) {
            what = "appc event handlers";
        } else if (!app.supplementaryGids().isEmpty()) {
            what = "supplementary groups";
        } else if (!pod.settings().sysctls().isEmpty()) {
            what = "pod sysctls (--sysctl)";
        }
        if (what != null) {
            throw BosunException.notImplemented("the bwrap engine does not enforce " + what + " (app " + app.name()
                    + "); run the pod without them or with --stage1-name=oci");
        }
    }

    @Override
    public EngineCommand run(PodDirectory pod) {
        requireTools();
        PodDirectory.App app = onlyApp(pod);
        Path appDir = pod.path().resolve("apps").resolve(app.name());
        Path filter = pod.stage1Dir().resolve(SECCOMP_FILE);
        List<String> argv = new ArrayList<>();
        if (pod.settings().netns() != null) {
            argv.addAll(List.of(NSENTER, "--net=" + pod.settings().netns(), "--"));
        }
        argv.addAll(List.of(UNSHARE, "--mount", "--propagation", "private", "--", SH, "-c", RUN, "bwrap-pod",
                app.overlay() ? overlayOptions(app) : "", app.rootfs().toString(), appDir.toString(),
                pod.stage1Dir().toString(), Files.exists(filter) ? filter.toString() : "",
                pod.settings().interactive() ? "terminal" : "log", "--"));
        argv.addAll(bwrap(pod, app, Files.exists(filter)));
        // The app's own environment is bwrap's --setenv; the pod process gets only what it needs.
        return new EngineCommand(argv, List.of("PATH=/usr/sbin:/usr/bin:/sbin:/bin"), "/");
    }

    /** The bwrap command line: namespaces, the app's root and mounts, its policy, user, directory and command. */
    static List<String> bwrap(PodDirectory pod, PodDirectory.App app, boolean seccomp) {
        List<String> a = new ArrayList<>(List.of(BWRAP, "--die-with-parent", "--new-session", "--unshare-user",
                "--unshare-pid", "--unshare-uts", "--unshare-cgroup-try"));
        if (!pod.settings().hostIpc()) {
            a.add("--unshare-ipc");
        }
        // The network namespace is the pod's (entered before) or the host's: bwrap makes none of its own.
        a.addAll(List.of("--hostname", pod.settings().hostname() != null ? pod.settings().hostname()
                : "bwrap-" + pod.uuid().substring(0, 8)));
        a.addAll(List.of(app.readonlyRootfs() ? "--ro-bind" : "--bind", app.rootfs().toString(), "/"));
        a.addAll(List.of("--proc", "/proc", "--dev", "/dev", "--ro-bind", "/sys", "/sys", "--tmpfs", "/tmp"));
        for (PodDirectory.Mount m : app.mounts()) {
            a.addAll(List.of(m.readOnly() ? "--ro-bind" : "--bind", m.source().toString(), m.target()));
        }
        Path etc = pod.settings().etcDir();
        if (etc != null) {
            for (String file : List.of("resolv.conf", "hosts", "hostname")) {
                String target = "/etc/" + file;
                if (app.mounts().stream().noneMatch(m -> m.target().equals(target))) {
                    a.addAll(List.of("--ro-bind-try", etc.resolve(file).toString(), target));
                }
            }
        }
        SecurityPolicy policy = app.security();
        // Masked paths: a directory gets an empty read-only tmpfs, a file /dev/null; what the host has not
        // (so neither has the pod's /proc or /sys) needs no mask.
        for (String path : policy.maskedPaths()) {
            Path host = Path.of(path);
            if (Files.isDirectory(host)) {
                a.addAll(List.of("--tmpfs", path, "--remount-ro", path));
            } else if (Files.exists(host)) {
                a.addAll(List.of("--ro-bind", "/dev/null", path));
            }
        }
        // Read-only paths are kernel files (/proc/sys, /proc/bus, ...): bound read-only from the host's
        // /proc, whose net sysctls still answer for the reader's own network namespace.
        for (String path : policy.readonlyPaths()) {
            if (Files.exists(Path.of(path))) {
                a.addAll(List.of("--ro-bind", path, path));
            }
        }
        a.addAll(List.of("--cap-drop", "ALL"));
        for (String cap : policy.capabilities()) {
            a.addAll(List.of("--cap-add", cap));
        }
        if (seccomp) {
            a.addAll(List.of("--seccomp", Integer.toString(SECCOMP_FD)));
        }
        a.addAll(List.of("--uid", Integer.toUnsignedString(app.uid()), "--gid", Integer.toUnsignedString(app.gid())));
        a.add("--clearenv");
        for (Map.Entry<String, String> e : app.environment().entrySet()) {
            a.addAll(List.of("--setenv", e.getKey(), e.getValue()));
        }
        a.addAll(List.of("--chdir", app.workingDirectory(), "--"));
        a.addAll(app.exec());
        return a;
    }

    /**
     * Run in the pod's private mount namespace. $1: the overlay's options (empty for a rootfs that is a
     * copy), $2: the app's rootfs, $3: the app's directory in the pod, $4: the engine's directory, $5: the
     * seccomp filter or empty, $6: {@code log} or {@code terminal}, then {@code --} and bwrap's command.
     * With {@code log}, the app's stdout and stderr go to the caller's and to {@code apps/NAME/log}
     * (through two FIFOs and tee); with {@code terminal} the app has the caller's streams as they are.
     * Stopping the pod signals the app, so the shell lives on to record its exit code.
     */
    static final String RUN = String.join("\n",
            "fail() { echo \"bosun: bwrap: $*\" >&2; exit 125; }",
            "if [ -n \"$1\" ]; then",
            "    /usr/bin/mount -t overlay overlay -o \"$1\" \"$2\" || fail \"cannot mount the app's rootfs $2\"",
            "fi",
            "app=$3 engine=$4 seccomp=$5 mode=$6",
            "shift 7",
            "if [ -n \"$seccomp\" ]; then exec 9<\"$seccomp\" || fail \"cannot open $seccomp\"; fi",
            ": > \"$app/started\"",
            "if [ \"$mode\" = terminal ]; then",
            "    \"$@\"",
            "    rc=$?",
            "else",
            "    rm -f \"$engine/out\" \"$engine/err\"",
            "    /usr/bin/mkfifo \"$engine/out\" \"$engine/err\" || fail \"cannot make the log FIFOs in $engine\"",
            "    /usr/bin/tee -a \"$app/log\" < \"$engine/out\" &",
            "    /usr/bin/tee -a \"$app/log\" < \"$engine/err\" >&2 &",
            "    \"$@\" > \"$engine/out\" 2> \"$engine/err\"",
            "    rc=$?",
            "    wait",
            "    rm -f \"$engine/out\" \"$engine/err\"",
            "fi",
            "echo \"$rc\" > \"$app/status\"",
            "exit \"$rc\"");

    static String overlayOptions(PodDirectory.App app) {
        List<String> lower = new ArrayList<>();
        app.lowerDirs().forEach(p -> lower.add(p.toString()));
        return "lowerdir=" + String.join(":", lower) + ",upperdir=" + app.upperDir() + ",workdir=" + app.workDir();
    }

    @Override
    public EngineCommand enter(PodDirectory pod, String app, List<String> command) {
        throw BosunException.notImplemented("the bwrap engine does not enter running pods (pod " + pod.uuid()
                + "); use --stage1-name=nspawn or --stage1-name=oci for pods you need to enter");
    }

    /**
     * Stops the pod: the app's processes (bwrap's descendants, not bwrap itself) get SIGTERM, or SIGKILL
     * with {@code force}; the pod's shell then records the exit code and ends. Before bwrap has started,
     * the pod's process itself is signalled.
     */
    @Override
    public void stop(PodDirectory pod, long pid, boolean force) {
        Optional<ProcessHandle> podProcess = ProcessHandle.of(pid);
        if (podProcess.isEmpty()) {
            return;
        }
        Optional<ProcessHandle> bwrap = podProcess.get().descendants().filter(BwrapEngine::isBwrap).findFirst();
        List<ProcessHandle> targets = bwrap.isEmpty() ? List.of(podProcess.get())
                : bwrap.get().descendants().filter(p -> !isBwrap(p)).toList();
        for (ProcessHandle p : targets) {
            if (force) {
                p.destroyForcibly();
            } else {
                p.destroy();
            }
        }
    }

    private static boolean isBwrap(ProcessHandle p) {
        return p.info().command().map(BWRAP::equals).orElse(false);
    }

    @Override
    public void gc(PodDirectory pod) {
        // Every mount of the pod is in its private mount namespace and went with its processes; the engine
        // keeps nothing outside the pod directory.
    }

    private static PodDirectory.App onlyApp(PodDirectory pod) {
        if (pod.apps().size() != 1) {
            throw BosunException.invalid("the bwrap engine runs exactly one app per pod; pod " + pod.uuid() + " has "
                    + pod.apps().size() + "; run one image, or use --stage1-name=oci");
        }
        return pod.apps().get(0);
    }

    private static void requireTools() {
        for (String tool : List.of(BWRAP, UNSHARE, NSENTER, "/usr/bin/tee", "/usr/bin/mkfifo", "/usr/bin/mount")) {
            if (!Files.isExecutable(Path.of(tool))) {
                throw BosunException.unavailable("the bwrap engine needs " + tool + "; install the Debian package "
                        + (tool.equals(BWRAP) ? "bubblewrap" : "util-linux or coreutils"));
            }
        }
    }
}
