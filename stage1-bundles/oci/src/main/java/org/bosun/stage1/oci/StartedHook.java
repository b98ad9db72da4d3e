package org.bosun.stage1.oci;

import java.util.List;

/**
 * Records the app's start in {@code <pod>/apps/<app>/started} (see
 * {@link org.bosun.api.stage1.Stage1Engine}) once the runtime has started its process. runc and
 * crun run hooks in the bundle's directory, {@code <pod>/engine/bundles/<id>/}; a failing
 * poststart hook would make them kill the container, so it never fails, and it reads the state the
 * runtime writes to it to the end (crun fails the hook if it exits before: EPIPE). For runc that
 * read is what keeps the pod's exit code the app's own: runc forwards every signal it gets to the
 * container, the SIGPIPE of its own write to a hook that has already exited included, and the
 * app's init passes it on, so the app died with 141, with or without its output, in about one run
 * in a hundred under load (a hook that only touched the file and exited).
 */
final class StartedHook {
    private StartedHook() {
    }

    /**
     * $1 the app's directory. The state, read to its end, names the container's pid as the runtime sees
     * it, in the host's pid namespace: recorded in {@code pid} before {@code started}, so a running app
     * has its pid. Both files are best effort: the hook never fails.
     */
    static final String RECORD = """
            s='' l=''
            while IFS= read -r l || [ -n "$l" ]; do s=$s$l; l=''; done
            p=${s#*'"pid"'}
            p=${p#*:}
            p=${p#"${p%%[! ]*}"}
            p=${p%%[!0-9]*}
            if [ -n "$p" ]; then
                # written before started, so no one reads it half-written
                echo "$p" 2>/dev/null > "$1/pid"
            fi
            true 2>/dev/null > "$1/started"
            exit 0
            """;

    /** The app's own container gets the hook; its handlers' do not. */
    static SpecOpt app(String app) {
        OciSpec.Hook hook = new OciSpec.Hook(SupervisorScript.SH, List.of("sh", "-c", RECORD, "started-hook",
                "../../../apps/" + app));
        return spec -> spec.hooks(h -> h.withPoststart(hook));
    }
}
