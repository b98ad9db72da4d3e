package org.bosun.stage1.fly;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.bosun.api.BosunException;
import org.bosun.api.stage1.EngineCapabilities;
import org.bosun.api.stage1.EngineCommand;
import org.bosun.api.stage1.PodDirectory;
import org.bosun.api.stage1.Stage1Engine;
import org.bosun.api.stage1.Stage1EngineService;
import org.osgi.service.component.annotations.Component;

/**
 * The fly engine: like rkt's fly flavour, it runs a single app with no isolation at all. The pod's
 * process is util-linux {@code unshare} with no namespace flags, used only for what it does before
 * exec: chroot into the app's rootfs, change directory, set the group and the user. Because the
 * launcher execs it and it execs the app, the app keeps the pid of {@code bosun run}, and nothing
 * supervises it: as with rkt fly, no exit status is recorded beyond the exit code of {@code run}.
 */
@Component(service = Stage1Engine.class)
@Stage1EngineService(name = "fly", abiVersion = 1, description = "one app, chroot, no isolation (rkt fly)")
public final class FlyEngine implements Stage1Engine {
    static final String UNSHARE = "/usr/bin/unshare";

    @Override
    public EngineCapabilities capabilities() {
        return new EngineCapabilities(1, false, false);
    }

    @Override
    public void prepare(PodDirectory pod) {
        requireTool();
        PodDirectory.App app = onlyApp(pod);
        Path workingDir = app.rootfs().resolve(app.workingDirectory().substring(1));
        if (!Files.isDirectory(workingDir)) {
            throw BosunException.invalid("working directory " + app.workingDirectory() + " of app " + app.name()
                    + " does not exist in its image; give an existing one with --working-dir");
        }
    }

    @Override
    public EngineCommand run(PodDirectory pod) {
        PodDirectory.App app = onlyApp(pod);
        return chroot(app, app.exec(), app.workingDirectory());
    }

    @Override
    public EngineCommand enter(PodDirectory pod, String appName, List<String> command) {
        PodDirectory.App app = onlyApp(pod);
        if (appName != null && !appName.equals(app.name())) {
            throw BosunException.notFound("pod " + pod.uuid() + " has no app '" + appName + "'; its app is " + app.name());
        }
        List<String> cmd = command.isEmpty() ? List.of("/bin/sh") : command;
        return chroot(app, cmd, "/");
    }

    @Override
    public void stop(PodDirectory pod, long pid, boolean force) {
        ProcessHandle.of(pid).ifPresent(p -> {
            if (force) {
                p.destroyForcibly();
            } else {
                p.destroy();
            }
        });
    }

    @Override
    public void gc(PodDirectory pod) {
        // fly makes no mounts and no cgroups: the pod directory is all there is.
    }

    private static EngineCommand chroot(PodDirectory.App app, List<String> command, String workingDirectory) {
        requireTool();
        List<String> argv = new ArrayList<>(List.of(UNSHARE, "--root=" + app.rootfs(), "--wd=" + workingDirectory,
                "--setgid=" + Integer.toUnsignedString(app.gid()), "--setuid=" + Integer.toUnsignedString(app.uid()),
                "--"));
        argv.addAll(command);
        List<String> env = new ArrayList<>();
        for (Map.Entry<String, String> e : app.environment().entrySet()) {
            env.add(e.getKey() + "=" + e.getValue());
        }
        return new EngineCommand(argv, env, "/");
    }

    private static PodDirectory.App onlyApp(PodDirectory pod) {
        if (pod.apps().size() != 1) {
            throw BosunException.invalid("the fly engine runs exactly one app per pod; pod " + pod.uuid() + " has "
                    + pod.apps().size());
        }
        return pod.apps().get(0);
    }

    private static void requireTool() {
        if (!Files.isExecutable(Path.of(UNSHARE))) {
            throw BosunException.unavailable("the fly engine needs " + UNSHARE + " (util-linux); install it");
        }
    }
}
