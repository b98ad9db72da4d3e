package org.bosun.stage1.nspawn;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Writes values into systemd unit files so that systemd reads back exactly the original strings
 * (systemd.syntax(7), systemd.service(7) "Command lines", systemd.exec(7) "Environment=").
 *
 * <p>systemd resolves {@code %} specifiers in every setting used here, so {@code %} is always
 * doubled. It expands {@code $VAR} only in command lines, where {@code $} is doubled; in
 * {@code Environment=} a {@code $} is literal and must stay single. Command-line words and
 * assignments are double-quoted with C escapes, which also covers spaces, quotes, backslashes,
 * a lone {@code ;} and newlines.
 */
final class UnitSyntax {
    /** What systemd accepts as an environment variable name (env_name_is_valid()). */
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private UnitSyntax() {
    }

    /** A command line for {@code ExecStart=}: every word quoted. */
    static String commandLine(List<String> argv) {
        StringBuilder sb = new StringBuilder();
        for (String word : argv) {
            if (sb.length() > 0) {
                sb.append(' ');
            }
            sb.append('"');
            escape(word, true, sb);
            sb.append('"');
        }
        return sb.toString();
    }

    /** One {@code Environment=} assignment, quoted. */
    static String assignment(String name, String value) {
        StringBuilder sb = new StringBuilder("\"");
        escape(name + "=" + value, false, sb);
        return sb.append('"').toString();
    }

    /** A path setting ({@code WorkingDirectory=}): systemd takes it unquoted, only specifiers apply. */
    static String path(String path) {
        return path.replace("%", "%%");
    }

    /** Null if systemd can pass the variable to a service; otherwise why not. */
    static String environmentProblem(String name, String value) {
        if (!ENV_NAME.matcher(name).matches()) {
            return "its name is not made of letters, digits and '_' (not starting with a digit)";
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f) {
                return "its value contains the control character U+" + String.format("%04X", (int) c);
            }
        }
        return null;
    }

    /** Null if systemd can take the path as {@code WorkingDirectory=}; otherwise why not. */
    static String pathProblem(String path) {
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                return "it contains the control character U+" + String.format("%04X", (int) c);
            }
        }
        if (!path.equals(path.strip()) || path.endsWith("\\")) {
            return "it ends or starts with white space or ends with a backslash";
        }
        return null;
    }

    private static void escape(String s, boolean commandLine, StringBuilder sb) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\\' -> sb.append("\\\\");
                case '"' -> sb.append("\\\"");
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                case '%' -> sb.append("%%");
                case '$' -> sb.append(commandLine ? "$$" : "$");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        sb.append(String.format("\\x%02x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
    }
}
