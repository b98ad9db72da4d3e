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
 * SIGINT (ctrl-c), and ends by itself, code 0, once the app has exited. A stdin attached to once
 * ({@link AppIo#stdinOnce()}) is the first such attach's alone, claimed and released as {@link AppIo}
 * says; the end of that attach's input is the app's, and the attach goes on showing the app's output
 * until the app has exited or the caller detaches (SIGINT), as containerd's CRI attach does with
 * stdin_once. A later attach says on stderr that it gets no stdin, drops the caller's input and
 * shows the output likewise.
 */
final class AppAttach {
    /** $1 the app's directory, $2 its pid, $3 1 to write its stdin, $4 1 to follow its output, $5 1 if its stdin is once. */
    static final String SCRIPT = """
            set -u
            dir=$1 pid=$2 once=$5 follower='' writer='' dropper=''
            detach() {
                for p in $follower $writer $dropper; do kill "$p" 2>/dev/null || :; done
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
                if [ "$once" = 0 ]; then
                    /usr/bin/cat <&3 > "$dir/stdin" 3<&- &
                    writer=$!
                elif (set -C && : > "$dir/stdin-claimed") 2>/dev/null; then
                    # the first attach: its own end (read-write: never waits) before the holder lets go of its
                    exec 4<> "$dir/stdin"
                    if [ -p "$dir/stdin-release" ]; then
                        echo 1<> "$dir/stdin-release"
                    fi
                    /usr/bin/cat <&3 >&4 3<&- 4<&- &
                    writer=$!
                    exec 4<&-
                else
                    echo "bosun: the stdin of app ${dir##*/} was attached to once and is closed; this attach gets its output only" >&2
                    /usr/bin/cat <&3 > /dev/null 3<&- &
                    dropper=$!
                fi
                exec 3<&-
            fi
            if [ -z "$writer" ] && [ -z "$follower" ]; then
                # nothing to write, nothing to follow
                detach
            fi
            while kill -0 "$pid" 2>/dev/null; do
                if [ -n "$writer" ] && ! kill -0 "$writer" 2>/dev/null; then
                    writer=''
                    # the end of the caller's input detaches; a once stdin's end is the app's, whose output goes on
                    if [ "$once" = 0 ] || [ -z "$follower" ]; then
                        detach
                    fi
                fi
                sleep 0.1
            done
            # the app has exited: tail prints what it wrote last and ends by itself
            if [ -n "$follower" ]; then
                wait "$follower" || :
            fi
            for p in $writer $dropper; do kill "$p" 2>/dev/null || :; done
            exit 0
            """;

    /**
     * Attach to a {@code tty} app's terminal (the protocol of {@link AppIo#TTY_SOCKET}), a Python 3
     * program (Debian's /usr/bin/python3: unix sockets, select, termios and ioctl, nothing more). $1
     * the pod's directory, $2 the app. With a terminal on the caller's side it is put in raw mode (and
     * restored at the end), its window size is sent at once and again on every SIGWINCH, and the
     * detach keys {@value #DETACH_KEYS} detach; without one the bytes are relayed as they are and the
     * end of the input detaches. Exit 0 on a detach and when the app has exited (the engine closes the
     * connection); 5 when the terminal cannot be reached.
     */
    static final String TERMINAL_SCRIPT = """
            import fcntl, os, select, signal, socket, struct, sys, termios, tty
            pod, app = sys.argv[1], sys.argv[2]
            CTRL_P, CTRL_Q = 0x10, 0x11
            os.chdir(pod)
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                s.connect('apps/%s/tty' % app)
            except OSError as e:
                sys.stderr.write('bosun: cannot reach the terminal of app %s in %s/apps/%s/tty: %s; is it running'
                                 ' (bosun app status)?\\n' % (app, pod, app, e.strerror))
                sys.exit(5)
            term = os.isatty(0)
            saved = termios.tcgetattr(0) if term else None
            def send_size(*_):
                for fd in (0, 1):
                    if os.isatty(fd):
                        rows, cols = struct.unpack('HHHH', fcntl.ioctl(fd, termios.TIOCGWINSZ, bytes(8)))[:2]
                        if rows and cols:
                            s.sendall(b'w' + struct.pack('>HH', rows, cols))
                        return
            def send(data):
                while data:
                    chunk, data = data[:65535], data[65535:]
                    s.sendall(b'd' + struct.pack('>H', len(chunk)) + chunk)
            class Detach(Exception):
                pass
            def stop(*_):
                raise Detach()
            for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
                signal.signal(sig, stop)
            code = 0
            try:
                if term:
                    tty.setraw(0, termios.TCSANOW)
                    signal.signal(signal.SIGWINCH, send_size)
                send_size()
                held = False
                inputs = [0, s]
                while True:
                    ready, _, _ = select.select(inputs, [], [])
                    if s in ready:
                        data = s.recv(65536)
                        if not data:
                            break
                        os.write(1, data)
                    if 0 in ready:
                        data = os.read(0, 65536)
                        if not data:
                            if held:
                                send(bytes([CTRL_P]))
                            raise Detach()
                        out = bytearray()
                        for b in data:
                            if held:
                                held = False
                                if b == CTRL_Q:
                                    send(bytes(out))
                                    raise Detach()
                                out.append(CTRL_P)
                            if b == CTRL_P:
                                held = True
                            else:
                                out.append(b)
                        send(bytes(out))
            except Detach:
                if term:
                    sys.stderr.write('\\r\\nbosun: detached from app %s; it goes on running\\r\\n' % app)
            except OSError as e:
                sys.stderr.write('bosun: the terminal of app %s: %s\\n' % (app, e.strerror))
                code = 1
            finally:
                if term:
                    termios.tcsetattr(0, termios.TCSAFLUSH, saved)
            sys.exit(code)
            """;

    /** The detach keys of a terminal attach, as docker's and podman's. */
    static final String DETACH_KEYS = "ctrl-p ctrl-q";

    private AppAttach() {
    }

    /** The command that attaches the caller to the terminal of a {@code tty} app. */
    static EngineCommand terminal(Path podDir, String app) {
        return new EngineCommand(List.of("/usr/bin/python3", "-c", TERMINAL_SCRIPT, podDir.toString(), app),
                List.of("PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C"), "/");
    }

    static EngineCommand command(Path appDir, int pid, boolean input, boolean output, boolean once) {
        return new EngineCommand(List.of("/usr/bin/sh", "-c", SCRIPT, "bosun-attach", appDir.toString(),
                Integer.toString(pid), input ? "1" : "0", output ? "1" : "0", once ? "1" : "0"),
                List.of("PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C"), "/");
    }
}
