package org.bosun.stage1.oci;

import static org.bosun.host.ShellWords.quote;

import java.nio.file.Path;
import java.util.List;

import org.bosun.api.stage1.PodDirectory;

/**
 * The two POSIX shell scripts that are the pod's process (no JVM stays in the pod's tree):
 *
 * <ul>
 * <li>{@code engine/run}, exec'd by bosun: gives the pod a cgroup {@code bosun-<uuid>} below the
 * caller's in every hierarchy (so whatever limits the caller put on {@code bosun run} hold for the
 * pod), records them in {@code engine/cgroups} for gc, moves itself in, then becomes
 * {@code engine/supervise} in a mount namespace of its own, a new cgroup namespace rooted there, and
 * the pod's new IPC and UTS namespaces, which the supervisor holds for the apps (unless the pod has
 * an infra container, see {@link ContainerConfig});</li>
 * <li>{@code engine/supervise}: remounts the cgroup hierarchies so that they show only the pod's
 * cgroup (the containers' {@code cgroupsPath /<id>} then lands below it, for runc and crun alike,
 * even when the caller sits in different cgroups per v1 controller); for crun on a hybrid host it
 * leaves the cgroup2 hierarchy unmounted, which crun cannot work with (MACHINE-NOTES §3); sets the
 * pod's hostname; mounts the apps' overlays; creates the infra container if the pod has one and
 * fills its pid into the containers' configs; starts every app as its own container (after
 * its pre-start handler, followed by its post-stop handler), records each app's exit code in
 * {@code apps/<app>/status}, copies the apps' output to bosun's stdout and stderr (each line
 * prefixed {@code [app] } when there are several apps) and into {@code apps/<app>/log}; on SIGTERM
 * stops the apps (SIGTERM, SIGKILL after the stop timeout); when every app is done deletes what
 * the runtime left of the containers, the infra last, and exits with the first non-zero app code in
 * manifest order.</li>
 * </ul>
 *
 * Both scripts find the pod from their own path, since the pod directory moves from prepared/ to
 * run/ after they are written. Every fork costs about a millisecond of every {@code bosun run}, so
 * the scripts use shell builtins wherever they can, and one command for many files where they cannot.
 */
final class SupervisorScript {
    static final String SH = "/usr/bin/sh";
    static final String UNSHARE = "/usr/bin/unshare";
    static final String AWK = "/usr/bin/awk";
    static final long LOG_MAX_BYTES = 1 << 20;
    static final int LOG_KEEP = 5;

    private SupervisorScript() {
    }

    /**
     * What the scripts need to know about the pod, fixed at prepare time.
     *
     * @param infra whether the pod has an infra container holding its namespaces (else the
     *        supervisor holds them)
     * @param hostname the pod's hostname, or null for the host's
     * @param configs the containers' {@code config.json} files (relative to the pod) that name the
     *        infra container's pid as {@link ContainerConfig#INFRA_PID}
     */
    record Plan(String uuid, OciRuntime runtime, Path runtimePath, List<AppPlan> apps, boolean interactive, int stopTimeoutSeconds,
            List<String> warnings, boolean mawk, boolean infra, String hostname, List<String> configs) {
        Plan {
            apps = List.copyOf(apps);
            warnings = List.copyOf(warnings);
            configs = List.copyOf(configs);
        }
    }

    /**
     * One app.
     *
     * @param name the app's name
     * @param preStart whether it has a pre-start handler bundle
     * @param postStop whether it has a post-stop handler bundle
     * @param overlay the overlay mount options ({@code lowerdir=...,upperdir=...,workdir=...}) and
     *        target, relative to the pod directory, or null when the rootfs is a plain directory
     */
    record AppPlan(String name, boolean preStart, boolean postStop, String overlayOptions, String overlayTarget) {
    }

    static String run(Plan plan) {
        return "#!" + SH + "\n"
                + "# bosun oci engine: the pod's process (generated); see supervise\n"
                + "engine=${0%/*}\n"
                + "pod=${engine%/*}\n"
                + "cd \"$pod\" || exit 125\n"
                // one write of a few bytes: a reader sees the pid or nothing, which reads as "starting"
                + "echo $$ > engine/pid || exit 125\n"
                // Each cgroup mount as the word MOUNTPOINT|,SUPEROPTIONS, (mountinfo escapes blanks
                // in mount points, so a word never splits), the cgroup2 mount apart.
                + "ifs=$IFS unified= mounts=\n"
                + "while read -r _ _ _ _ mp _ rest; do\n"
                + "    rest=\" $rest\"; rest=${rest#* - }\n"
                + "    fstype=${rest%% *}; options=${rest##* }\n"
                + "    case $fstype in\n"
                + "    cgroup) mounts=\"$mounts $mp|,$options,\" ;;\n"
                + "    cgroup2) unified=$mp ;;\n"
                + "    esac\n"
                + "done < /proc/self/mountinfo\n"
                + ": > engine/cgroups || exit 125\n"
                // Each hierarchy of /proc/self/cgroup (ID:CONTROLLERS:PATH) is the mount whose options
                // name all its controllers. Recorded first (gc removes what is recorded), then made by
                // one mkdir. Only shell builtins here: every fork is a millisecond of every run.
                + "set --\n"
                + "while IFS=: read -r _ controllers path; do\n"
                + "    mp=\n"
                + "    if [ -z \"$controllers\" ]; then\n"
                + "        mp=$unified\n"
                + "    else\n"
                + "        for m in $mounts; do\n"
                + "            ok=1 IFS=,\n"
                + "            for c in $controllers; do case ${m#*|} in *\",$c,\"*) ;; *) ok= ;; esac; done\n"
                + "            IFS=$ifs\n"
                + "            if [ -n \"$ok\" ]; then mp=${m%%|*}; break; fi\n"
                + "        done\n"
                + "    fi\n"
                + "    [ -n \"$mp\" ] || continue\n"
                + "    dir=$mp${path%/}/bosun-" + plan.uuid() + "\n"
                + "    echo \"$dir\" >> engine/cgroups || exit 125\n"
                + "    set -- \"$@\" \"$dir\"\n"
                + "done < /proc/self/cgroup\n"
                + "IFS=$ifs\n"
                + "[ $# -eq 0 ] || mkdir -p \"$@\" || { echo \"bosun: cannot give the pod its own cgroups $*\" >&2; exit 125; }\n"
                + "for dir; do\n"
                // a new cpuset cgroup has no CPUs and memory nodes: nothing could join it
                + "    if [ -f \"$dir/cpuset.cpus\" ]; then\n"
                + "        cpus= mems=\n"
                + "        read -r cpus < \"$dir/cpuset.cpus\"\n"
                + "        if [ -z \"$cpus\" ]; then\n"
                + "            read -r cpus < \"$dir/../cpuset.cpus\"; read -r mems < \"$dir/../cpuset.mems\"\n"
                + "            echo \"$cpus\" > \"$dir/cpuset.cpus\" && echo \"$mems\" > \"$dir/cpuset.mems\"\n"
                + "        fi\n"
                + "    fi\n"
                + "    echo $$ > \"$dir/cgroup.procs\" || { echo \"bosun: cannot move the pod into its cgroup $dir\" >&2; exit 125; }\n"
                + "done\n"
                + "exec " + UNSHARE + " --mount --propagation private --cgroup" + (plan.infra() ? "" : " --ipc --uts")
                + " -- " + SH + " \"$engine/supervise\"\n";
    }

    static String supervise(Plan plan) {
        StringBuilder sb = new StringBuilder();
        sb.append("#!").append(SH).append('\n');
        sb.append("# bosun oci engine: the pod's supervisor (generated)\n");
        sb.append("engine=${0%/*}\n");
        sb.append("pod=${engine%/*}\n");
        sb.append("cd \"$pod\" || exit 125\n");
        sb.append("PATH=/usr/sbin:/usr/bin:/sbin:/bin\n");
        sb.append("export LC_ALL=C\n");
        sb.append("rt=").append(quote(plan.runtimePath().toString())).append('\n');
        sb.append("state=\"$pod/engine/runtime-state\"\n");
        sb.append("io=engine/io\n");
        sb.append("apps=").append(quote(String.join(" ", plan.apps().stream().map(AppPlan::name).toList()))).append('\n');
        sb.append("stop_timeout=").append(plan.stopTimeoutSeconds()).append('\n');
        for (String warning : plan.warnings()) {
            sb.append("echo ").append(quote("bosun: " + warning)).append(" >&2\n");
        }
        sb.append("fail() { echo \"bosun: $*\" >&2; teardown; exit 125; }\n");
        // `run` deletes a container whose process ended; what is left was interrupted
        sb.append("teardown() {\n");
        sb.append("    for a in $apps; do [ ! -d \"$state/app-$a\" ] || \"$rt\" --root \"$state\" delete --force \"app-$a\" >/dev/null 2>&1; done\n");
        if (plan.infra()) {
            sb.append("    \"$rt\" --root \"$state\" delete --force infra >/dev/null 2>&1\n");
        }
        sb.append("}\n");
        cgroups(sb, plan);
        if (!plan.infra() && plan.hostname() != null) {
            // the supervisor's own, new UTS namespace: the apps join it
            sb.append("printf '%s\\n' ").append(quote(plan.hostname()))
                    .append(" > /proc/sys/kernel/hostname || fail 'cannot set the hostname of the pod'\n");
        }
        for (AppPlan app : plan.apps()) {
            if (app.overlayOptions() != null) {
                sb.append("mount -t overlay overlay -o ").append(quote(app.overlayOptions())).append(' ')
                        .append(quote(app.overlayTarget())).append(" || fail ")
                        .append(quote("cannot mount the overlay rootfs of app " + app.name())).append('\n');
            }
        }
        if (plan.infra()) {
            sb.append("\"$rt\" --root \"$state\" create --bundle \"$pod/engine/bundles/infra\" --pid-file \"$pod/$io/infra.pid\""
                    + " infra </dev/null >/dev/null 2>\"$io/infra.err\" || fail \"cannot create the pod's infra container: "
                    + "$(cat \"$io/infra.err\")\"\n");
            sb.append("infra=\nread -r infra < \"$io/infra.pid\"\n");
            sb.append("[ -n \"$infra\" ] || fail 'the infra container has no pid'\n");
            if (!plan.configs().isEmpty()) {
                sb.append("sed -i \"s/").append(ContainerConfig.INFRA_PID).append("/$infra/g\"");
                for (String config : plan.configs()) {
                    sb.append(' ').append(quote(config));
                }
                sb.append(" || fail 'cannot write the container configs of the pod'\n");
            }
        }
        stop(sb);
        runApp(sb, plan);
        sb.append("pids=\n");
        for (AppPlan app : plan.apps()) {
            String name = app.name();
            String prefix = plan.apps().size() > 1 ? "[" + name + "] " : "";
            if (plan.interactive()) {
                sb.append("run_app ").append(name).append(' ').append(app.preStart() ? 1 : 0).append(' ')
                        .append(app.postStop() ? 1 : 0).append(" &\n");
            } else {
                sb.append("mkfifo \"$io/").append(name).append(".out\" \"$io/").append(name).append(".err\" \"$io/")
                        .append(name).append(".log\" || fail 'cannot make the output pipes of app ").append(name)
                        .append("'\n");
                sb.append(logWriter(plan, name));
                // The log writer ends at the first moment no one has its pipe open for writing. The
                // supervisor holds it (fd 3) until both forwarders have it: otherwise a forwarder that
                // had not yet opened it when the other one ended would find it closed (a hang, or a
                // SIGPIPE and lost lines).
                sb.append("command exec 3>\"$io/").append(name).append(".log\" || fail 'cannot open the log pipe of app ")
                        .append(name).append("'\n");
                sb.append(forwarder(plan, name, prefix, true));
                sb.append(forwarder(plan, name, prefix, false));
                sb.append("exec 3>&-\n");
                sb.append("run_app ").append(name).append(' ').append(app.preStart() ? 1 : 0).append(' ')
                        .append(app.postStop() ? 1 : 0).append(" </dev/null >\"$io/").append(name)
                        .append(".out\" 2>\"$io/").append(name).append(".err\" &\n");
            }
            sb.append("pids=\"$pids $!\"\n");
        }
        sb.append("for p in $pids; do\n");
        sb.append("    while kill -0 \"$p\" 2>/dev/null; do wait \"$p\"; done\n");
        sb.append("done\n");
        sb.append("[ -z \"$timer\" ] || kill \"$timer\" 2>/dev/null\n");
        // the output forwarders drain what the apps wrote last
        sb.append("while :; do wait; [ $? -gt 128 ] || break; done\n");
        sb.append("teardown\n");
        sb.append("code=0\n");
        sb.append("for a in $apps; do\n");
        sb.append("    if [ -f \"apps/$a/status\" ]; then read -r c < \"apps/$a/status\"; else c=255; fi\n");
        sb.append("    if [ \"$c\" != 0 ]; then code=$c; break; fi\n");
        sb.append("done\n");
        sb.append("exit \"$code\"\n");
        return sb.toString();
    }

    /**
     * The pod's cgroups, as the runtimes will see them: only the pod's own subtree. Every hierarchy
     * is unmounted and mounted again in the supervisor's cgroup namespace: by one umount and one
     * {@code mount -a} of a table written here, two forks instead of one per hierarchy.
     */
    private static void cgroups(StringBuilder sb, Plan plan) {
        sb.append("v1= v2= v2table=\n");
        sb.append("table=engine/cgroups.fstab\n");
        sb.append(": > \"$table\" || fail \"cannot write $table\"\n");
        sb.append("set --\n");
        sb.append("while read -r _ _ _ _ mp _ rest; do\n");
        // mountinfo: ... MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPEROPTIONS; the mount
        // point keeps mountinfo's octal escapes, which fstab uses too
        sb.append("    rest=\" $rest\"; rest=${rest#* - }\n");
        sb.append("    fstype=${rest%% *}; options=${rest##* }\n");
        sb.append("    case $fstype in\n");
        sb.append("    cgroup) v1=1; printf '%s %s %s %s 0 0\\n' cgroup \"$mp\" cgroup \"$options\" >> \"$table\" ;;\n");
        sb.append("    cgroup2) v2=1; v2table=\"${v2table}cgroup2 $mp cgroup2 $options 0 0\n\" ;;\n");
        sb.append("    *) continue ;;\n");
        sb.append("    esac\n");
        sb.append("    set -- \"$@\" \"$mp\"\n");
        sb.append("done < /proc/self/mountinfo\n");
        if (plan.runtime() == OciRuntime.CRUN) {
            sb.append("# crun refuses hybrid hosts: it gets the legacy hierarchies only\n");
            sb.append("[ -n \"$v1\" ] || printf '%s' \"$v2table\" >> \"$table\"\n");
        } else {
            sb.append("printf '%s' \"$v2table\" >> \"$table\"\n");
        }
        sb.append("if [ $# -gt 0 ]; then\n");
        sb.append("    umount \"$@\" && mount -a -T \"$table\" || fail \"cannot remount the cgroup hierarchies $* for the pod\"\n");
        sb.append("fi\n");
        // cgroup2 alone: no process may stay in a cgroup whose children get controllers
        sb.append("if [ -z \"$v1\" ] && [ -n \"$v2\" ]; then\n");
        sb.append("    mkdir -p /sys/fs/cgroup/supervisor && echo $$ > /sys/fs/cgroup/supervisor/cgroup.procs"
                + " || fail 'cannot move the supervisor into its cgroup'\n");
        sb.append("fi\n");
    }

    /** SIGTERM (bosun stop), SIGINT and SIGHUP: stop the apps, kill them after the stop timeout. */
    private static void stop(StringBuilder sb) {
        sb.append("timer=\n");
        sb.append("on_stop() {\n");
        sb.append("    [ -z \"$timer\" ] || return\n");
        sb.append("    : > \"$io/stopping\"\n");
        sb.append("    for a in $apps; do \"$rt\" --root \"$state\" kill \"app-$a\" TERM >/dev/null 2>&1; done\n");
        // The timer ends within 0.1 s of the supervisor's TERM, its sleep included: nothing that
        // holds the pod's lock outlives the supervisor, so the pod is "exited" when bosun run returns.
        sb.append("    ( trap 'ended=1' TERM; trap - INT HUP; cd /; i=0 ended=\n");
        sb.append("      while [ -z \"$ended\" ] && [ $i -lt $((stop_timeout * 10)) ]; do sleep 0.1; i=$((i + 1)); done\n");
        sb.append("      [ -n \"$ended\" ] || for a in $apps; do \"$rt\" --root \"$state\" kill \"app-$a\" KILL >/dev/null 2>&1; done\n");
        sb.append("    ) </dev/null >/dev/null 2>&1 &\n");
        sb.append("    timer=$!\n");
        sb.append("}\n");
        sb.append("trap on_stop TERM INT HUP\n");
    }

    /**
     * {@code run_app NAME PRE POST}: pre-start handler, the app unless it failed or the pod is
     * stopping, the app's exit code into apps/NAME/status, the post-stop handler.
     */
    private static void runApp(StringBuilder sb, Plan plan) {
        sb.append("run_app() {\n");
        sb.append("    trap - TERM INT HUP\n");
        sb.append("    a=$1 code=\n");
        sb.append("    if [ \"$2\" = 1 ]; then\n");
        sb.append("        \"$rt\" --root \"$state\" run --bundle \"$pod/engine/bundles/pre-start-$a\" \"pre-start-$a\"\n");
        sb.append("        code=$?\n");
        sb.append("        [ \"$code\" != 0 ] || code=\n");
        sb.append("    fi\n");
        sb.append("    if [ -z \"$code\" ] && [ ! -e \"$io/stopping\" ]; then\n");
        sb.append("        \"$rt\" --root \"$state\" run --bundle \"$pod/engine/bundles/app-$a\" \"app-$a\"\n");
        sb.append("        code=$?\n");
        sb.append("    fi\n");
        sb.append("    if [ -n \"$code\" ]; then\n");
        sb.append("        echo \"$code\" > \"apps/$a/status.tmp\" && mv -f \"apps/$a/status.tmp\" \"apps/$a/status\"\n");
        sb.append("    fi\n");
        sb.append("    if [ \"$3\" = 1 ]; then\n");
        sb.append("        \"$rt\" --root \"$state\" run --bundle \"$pod/engine/bundles/post-stop-$a\" \"post-stop-$a\"\n");
        sb.append("    fi\n");
        sb.append("}\n");
    }

    private static String awk(Plan plan) {
        // mawk reads a pipe until its buffer is full unless told to work line by line
        return AWK + (plan.mawk() ? " -W interactive" : "");
    }

    /**
     * Copies one output stream of an app to bosun's (with the prefix) and, unprefixed, into the
     * app's log pipe. awk's "/dev/stderr" is its own descriptor 2, never a reopened file: a caller's
     * regular file keeps its offset.
     */
    private static String forwarder(Plan plan, String app, String prefix, boolean stdout) {
        // One write(2) per line, so that the lines of several apps sharing bosun's stdout, and of an
        // app's two streams sharing its log pipe, never interleave: mawk -W interactive writes
        // unbuffered, and print (and printf with a "\n" in its format) writes the newline apart.
        String program = stdout
                ? "{ printf \"%s\", p $0 \"\\n\"; fflush(); printf \"%s\", $0 \"\\n\" > \"/dev/stderr\"; fflush(\"/dev/stderr\") }"
                : "{ printf \"%s\", p $0 \"\\n\" > \"/dev/stderr\"; fflush(\"/dev/stderr\"); printf \"%s\", $0 \"\\n\"; fflush() }";
        String in = "\"$io/" + app + (stdout ? ".out\"" : ".err\"");
        // the app's log pipe: the supervisor's fd 3, opened before either forwarder starts
        return "( trap '' TERM INT HUP; exec " + awk(plan) + " -v p=" + quote(prefix) + " " + quote(program)
                + " <" + in + (stdout ? " 2>&3" : " >&3") + " 3>&- ) &\n";
    }

    /** Writes an app's log, rotating at {@link #LOG_MAX_BYTES} into log.1 ... log.5. */
    private static String logWriter(Plan plan, String app) {
        String program = "function rotate(i) {\n"
                + "    close(f)\n"
                + "    for (i = keep - 1; i >= 1; i--) system(\"mv -f \" f \".\" i \" \" f \".\" (i + 1) \" 2>/dev/null\")\n"
                + "    system(\"mv -f \" f \" \" f \".1\")\n"
                + "    size = 0\n"
                + "}\n"
                + "{ print >> f; fflush(f); size += length($0) + 1; if (size >= max) rotate() }";
        return "( trap '' TERM INT HUP; exec " + awk(plan) + " -v f=apps/" + app + "/log -v max=" + LOG_MAX_BYTES
                + " -v keep=" + LOG_KEEP + " " + quote(program) + " <\"$io/" + app + ".log\" ) &\n";
    }


    /** The overlay's mount options, paths inside the pod relative to it (the script runs there). */
    static String overlayOptions(PodDirectory pod, PodDirectory.App app) {
        StringBuilder lower = new StringBuilder();
        for (Path dir : app.lowerDirs()) {
            lower.append(lower.length() == 0 ? "" : ":").append(inPod(pod, dir));
        }
        return "lowerdir=" + lower + ",upperdir=" + inPod(pod, app.upperDir()) + ",workdir=" + inPod(pod, app.workDir());
    }

    static String inPod(PodDirectory pod, Path path) {
        Path p = path.toAbsolutePath().normalize();
        return p.startsWith(pod.path()) ? pod.path().relativize(p).toString() : p.toString();
    }
}
