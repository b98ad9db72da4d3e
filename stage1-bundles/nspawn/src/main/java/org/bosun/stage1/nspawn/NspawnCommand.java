package org.bosun.stage1.nspawn;

import java.util.ArrayList;
import java.util.List;

/**
 * The pod's command line, built in order by the concerns that need each part of it: the steps that
 * run before systemd-nspawn (each one execs what follows it: entering the pod's network, a private
 * mount namespace, the overlays' mounts, the run script), systemd-nspawn's options, and the pod's
 * init with its arguments after {@code --}. Nothing is inserted into it afterwards.
 */
final class NspawnCommand {
    private final List<String> steps = new ArrayList<>();
    private final List<String> options = new ArrayList<>();
    private final List<String> init = new ArrayList<>();

    /** A command that execs the rest of the command line, given whole (its own {@code --} included); none if empty. */
    NspawnCommand step(List<String> command) {
        steps.addAll(command);
        return this;
    }

    NspawnCommand options(List<String> more) {
        options.addAll(more);
        return this;
    }

    NspawnCommand options(String... more) {
        return options(List.of(more));
    }

    /** The pod's PID 1 inside the container, and its arguments. */
    NspawnCommand init(String program, List<String> arguments) {
        init.clear();
        init.add(program);
        init.addAll(arguments);
        return this;
    }

    List<String> argv() {
        List<String> argv = new ArrayList<>(steps);
        argv.add(NspawnEngine.NSPAWN);
        argv.addAll(options);
        argv.add("--");
        argv.addAll(init);
        return List.copyOf(argv);
    }
}
