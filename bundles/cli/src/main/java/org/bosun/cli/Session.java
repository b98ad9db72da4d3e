package org.bosun.cli;

import java.io.PrintStream;
import java.nio.file.Path;

import org.bosun.api.RuntimePaths;
import org.bosun.api.pod.PodService;
import org.bosun.launch.ExecPlan;
import org.bosun.launch.Invocation;
import org.osgi.framework.BundleContext;

/**
 * One command's context: the caller's invocation, its output streams, the services, and what the
 * global options said. Commands get it through their constructor and keep it only while they run.
 */
final class Session {
    Invocation invocation;
    PrintStream out;
    PrintStream err;
    final BundleContext context;
    private PodService pods;
    GlobalOptions global;
    ExecPlan plan;

    Session(Invocation invocation, PrintStream out, PrintStream err, BundleContext context, PodService pods) {
        this.invocation = invocation;
        this.out = out;
        this.err = err;
        this.context = context;
        this.pods = pods;
    }

    /**
     * Makes this session (and the command tree built for it) serve another invocation: building
     * the tree costs milliseconds of reflection, so the agent reuses trees.
     */
    void rebind(Invocation invocation, PrintStream out, PrintStream err, PodService pods) {
        this.invocation = invocation;
        this.out = out;
        this.err = err;
        this.pods = pods;
        this.plan = null;
        if (global != null) {
            global.forget();
        }
    }

    PodService pods() {
        if (pods == null) {
            throw org.bosun.api.BosunException.unavailable("the pod service (bundle org.bosun.core) is not running");
        }
        return pods;
    }

    RuntimePaths paths() {
        return global.paths();
    }

    /** A path the user gave, relative to the caller's working directory (not the agent's). */
    Path resolve(String path) {
        return Path.of(invocation.cwd()).resolve(path).normalize();
    }

    void debug(String message) {
        if (global != null && global.debug) {
            err.println("bosun: " + message);
        }
    }
}
