package org.bosun.itest.e2e;

import java.time.Duration;
import java.util.List;

/** What one finished {@code bosun} call did: exit code and the exact bytes it wrote (as UTF-8). */
public final class BosunResult {
    final List<String> command;
    final Mode mode;
    final int exitCode;
    final String stdout;
    final String stderr;
    final Duration took;

    BosunResult(List<String> command, Mode mode, int exitCode, String stdout, String stderr, Duration took) {
        this.command = command;
        this.mode = mode;
        this.exitCode = exitCode;
        this.stdout = stdout;
        this.stderr = stderr;
        this.took = took;
    }

    /** stderr split into lines; a missing final newline still ends a line. */
    List<String> stderrLines() {
        return lines(stderr);
    }

    List<String> stdoutLines() {
        return lines(stdout);
    }

    static List<String> lines(String text) {
        if (text.isEmpty()) {
            return List.of();
        }
        String[] parts = text.split("\n", -1);
        return List.of(parts).subList(0, text.endsWith("\n") ? parts.length - 1 : parts.length);
    }

    /** The command line as a user would type it (shell-quoted where needed). */
    String commandLine() {
        return Shell.join(command);
    }

    /** Everything a failure message needs. */
    String describe() {
        return "[" + mode + "] " + commandLine() + "\n  exit code " + exitCode + " after " + took.toMillis() + " ms"
                + "\n  --- stdout ---\n" + indent(stdout) + "  --- stderr ---\n" + indent(stderr);
    }

    private static String indent(String text) {
        if (text.isEmpty()) {
            return "  (empty)\n";
        }
        StringBuilder sb = new StringBuilder();
        for (String line : text.split("\n", -1)) {
            sb.append("  | ").append(line).append('\n');
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return describe();
    }

    /** Shell quoting for messages, so a failing command can be pasted into a terminal. */
    static final class Shell {
        private Shell() {
        }

        static String join(List<String> words) {
            StringBuilder sb = new StringBuilder();
            for (String w : words) {
                if (sb.length() > 0) {
                    sb.append(' ');
                }
                sb.append(quote(w));
            }
            return sb.toString();
        }

        static String quote(String w) {
            if (!w.isEmpty() && w.matches("[A-Za-z0-9_@%+=:,./-]+")) {
                return w;
            }
            return "'" + w.replace("'", "'\\''") + "'";
        }
    }
}
