package org.bosun.core;

import java.nio.file.Path;
import java.util.List;

import org.bosun.api.app.AppIo;
import org.bosun.api.stage1.EngineCommand;

/**
 * {@code bosun attach} to an app's {@code stream} streams (see {@link AppIo}): a constant script the
 * caller execs, in-process or through the agent alike, with the caller's own standard streams. Its
 * input goes into the app's stdin FIFO; the app's output is followed in its log from the moment the
 * attach began, so a line the app writes while no one is attached is in the log and nothing is lost.
 * It detaches, leaving the app running, at the end of the caller's input (ctrl-d on a terminal) or on
 * SIGINT (ctrl-c), and ends by itself, code 0, once the app has exited.
 */
final class AppAttach {
    /** $1 the app's directory, $2 its pid, $3 1 to write its stdin, $4 1 to follow its output. */
    static final String SCRIPT = """
            set -u
            dir=$1 pid=$2 follower='' writer=''
            detach() {
                for p in $follower $writer; do kill "$p" 2>/dev/null || :; done
                exit 0
            }
            trap detach INT TERM HUP
            if [ "$4" = 1 ]; then
                # from the log's size now: what the app answers to the first input is never missed
                size=$(/usr/bin/stat -c %s "$dir/log" 2>/dev/null) || size=0
                /usr/bin/tail -s 0.1 -c +$((size + 1)) -F --pid="$pid" "$dir/log" 2>/dev/null &
                follower=$!
            fi
            if [ "$3" = 1 ]; then
                # an explicit copy: a background job's input would be /dev/null
                exec 3<&0
                /usr/bin/cat <&3 > "$dir/stdin" 3<&- &
                writer=$!
                exec 3<&-
            fi
            while kill -0 "$pid" 2>/dev/null; do
                if [ -n "$writer" ] && ! kill -0 "$writer" 2>/dev/null; then
                    detach
                fi
                sleep 0.1
            done
            # the app has exited: tail prints what it wrote last and ends by itself
            if [ -n "$follower" ]; then
                wait "$follower" || :
            fi
            [ -z "$writer" ] || kill "$writer" 2>/dev/null || :
            exit 0
            """;

    private AppAttach() {
    }

    static EngineCommand command(Path appDir, int pid, boolean input, boolean output) {
        return new EngineCommand(List.of("/usr/bin/sh", "-c", SCRIPT, "bosun-attach", appDir.toString(),
                Integer.toString(pid), input ? "1" : "0", output ? "1" : "0"),
                List.of("PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C"), "/");
    }
}
