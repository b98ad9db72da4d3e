package org.bosun.stage1.oci;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.bosun.api.stage1.PodDirectory;

/** The container's process and its user: what runs, as whom, where, with which environment and terminal. */
final class ProcessOpts {
    static final long NOFILE = 1024;
    /**
     * Where each app's init is bound: on the container's own /dev tmpfs, so neither the image's
     * rootfs nor a read-only one needs a place for it.
     */
    static final String INIT_TARGET = "/dev/.bosun-init";

    private ProcessOpts() {
    }

    /**
     * {@code args} (the app's exec, or one of its event handlers) under the init, the container's PID
     * 1; as the app's user, or for a {@code handler} as root, as rkt ran event handlers (before the
     * app drops to its user, and after it).
     */
    static SpecOpt app(PodDirectory pod, PodDirectory.App app, List<String> args, boolean handler) {
        List<Long> gids = app.supplementaryGids().isEmpty() ? null
                : app.supplementaryGids().stream().map(Integer::toUnsignedLong).toList();
        OciSpec.User user = handler ? new OciSpec.User(0, 0, null)
                : new OciSpec.User(Integer.toUnsignedLong(app.uid()), Integer.toUnsignedLong(app.gid()), gids);
        List<String> argv = new ArrayList<>(List.of(INIT_TARGET, "--"));
        argv.addAll(args);
        List<String> env = new ArrayList<>();
        for (Map.Entry<String, String> e : app.environment().entrySet()) {
            env.add(e.getKey() + "=" + e.getValue());
        }
        List<OciSpec.Rlimit> rlimits = List.of(new OciSpec.Rlimit("RLIMIT_NOFILE", NOFILE, NOFILE));
        // a terminal for the pod's one interactive app, or for an added app with the tty I/O mode
        boolean terminal = pod.settings().interactive() || !handler
                && org.bosun.api.app.AppIo.read(pod.path().resolve("apps").resolve(app.name())).stdin()
                        == org.bosun.api.app.AppIo.Mode.TTY;
        return spec -> spec.withProcess(new OciSpec.Process(terminal, user, List.copyOf(argv),
                List.copyOf(env), app.workingDirectory(), null, rlimits, false, null, null));
    }

    /** The infra container's: {@code sleep infinity} from the host's /usr, as root. */
    static SpecOpt infra() {
        return spec -> spec.withProcess(new OciSpec.Process(false, new OciSpec.User(0, 0, null),
                List.of("/usr/bin/sleep", "infinity"), List.of("PATH=/usr/bin"), "/", null, null, false, null, null));
    }
}
