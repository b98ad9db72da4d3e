package org.bosun.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The shell's line editor, for a terminal in raw mode (no echo, no line discipline): it echoes and
 * edits the line itself. Left and right, Home and End (Ctrl-A, Ctrl-E), Backspace and Delete,
 * Ctrl-K, Ctrl-U and Ctrl-W, history with Up and Down (Ctrl-P, Ctrl-N), Tab to complete a command's
 * name, Ctrl-C to drop the line and Ctrl-D on an empty line to end. ANSI escapes, as every terminal
 * emulator takes them.
 */
final class LineEditor {
    private static final int MAX_HISTORY = 1000;
    private final InputStream in;
    private final PrintStream out;
    private final List<String> history;
    private final Collection<String> names;
    private String prompt = "";
    private final StringBuilder line = new StringBuilder();
    private int cursor;
    /** The line being typed, kept while the history is shown in its place. */
    private String draft = "";

    /**
     * @param history earlier lines, oldest first; accepted lines are added to it
     * @param names the command names Tab completes
     */
    LineEditor(InputStream in, PrintStream out, List<String> history, Collection<String> names) {
        this.in = in;
        this.out = out;
        this.history = history;
        this.names = names;
    }

    /** The next line, or null at the end of input (Ctrl-D on an empty line). */
    String readLine(String prompt) throws IOException {
        this.prompt = prompt;
        line.setLength(0);
        cursor = 0;
        int recalled = history.size();
        draft = "";
        out.print(prompt);
        out.flush();
        while (true) {
            int c = readCodePoint();
            switch (c) {
                case -1 -> {
                    out.print("\r\n");
                    out.flush();
                    return line.length() == 0 ? null : accept();
                }
                case '\r', '\n' -> {
                    out.print("\r\n");
                    out.flush();
                    return accept();
                }
                case 4 -> { // Ctrl-D
                    if (line.length() == 0) {
                        out.print("\r\n");
                        out.flush();
                        return null;
                    }
                    deleteAtCursor();
                }
                case 3 -> { // Ctrl-C: drop the line
                    out.print("^C\r\n");
                    line.setLength(0);
                    cursor = 0;
                    recalled = history.size();
                }
                case 1 -> cursor = 0;
                case 5 -> cursor = line.length();
                case 2 -> cursor = Math.max(0, cursor - 1);
                case 6 -> cursor = Math.min(line.length(), cursor + 1);
                case 11 -> line.setLength(cursor);
                case 21 -> {
                    line.delete(0, cursor);
                    cursor = 0;
                }
                case 23 -> { // Ctrl-W: the word before the cursor
                    int start = cursor;
                    while (start > 0 && line.charAt(start - 1) == ' ') {
                        start--;
                    }
                    while (start > 0 && line.charAt(start - 1) != ' ') {
                        start--;
                    }
                    line.delete(start, cursor);
                    cursor = start;
                }
                case 8, 127 -> {
                    if (cursor > 0) {
                        line.deleteCharAt(--cursor);
                    }
                }
                case '\t' -> complete();
                case 16, 14 -> recalled = recall(c == 16 ? -1 : 1, recalled);
                case 27 -> {
                    int key = escape();
                    switch (key) {
                        case 'A', 'B' -> recalled = recall(key == 'A' ? -1 : 1, recalled);
                        case 'C' -> cursor = Math.min(line.length(), cursor + 1);
                        case 'D' -> cursor = Math.max(0, cursor - 1);
                        case 'H' -> cursor = 0;
                        case 'F' -> cursor = line.length();
                        case '3' -> deleteAtCursor();
                        default -> {
                            // a key the editor does not use
                        }
                    }
                }
                default -> {
                    if (c >= 32) {
                        String s = new String(Character.toChars(c));
                        line.insert(cursor, s);
                        cursor += s.length();
                    }
                }
            }
            redraw();
        }
    }

    private String accept() {
        String accepted = line.toString();
        if (!accepted.isBlank() && (history.isEmpty() || !history.get(history.size() - 1).equals(accepted))) {
            history.add(accepted);
            if (history.size() > MAX_HISTORY) {
                history.remove(0);
            }
        }
        return accepted;
    }

    /** Moves through the history by {@code step}; past the newest entry is the line being typed. */
    private int recall(int step, int recalled) {
        if (recalled == history.size()) {
            draft = line.toString();
        }
        int next = Math.max(0, Math.min(history.size(), recalled + step));
        line.setLength(0);
        line.append(next == history.size() ? draft : history.get(next));
        cursor = line.length();
        return next;
    }

    private void deleteAtCursor() {
        if (cursor < line.length()) {
            line.deleteCharAt(cursor);
        }
    }

    /**
     * Completes the command name before the cursor (a word at the start of the line, or after a
     * pipe or a semicolon): the one name, else the common prefix, else the candidates listed.
     */
    private void complete() {
        int start = cursor;
        while (start > 0 && " |;".indexOf(line.charAt(start - 1)) < 0) {
            start--;
        }
        int before = start;
        while (before > 0 && line.charAt(before - 1) == ' ') {
            before--;
        }
        if (before > 0 && "|;".indexOf(line.charAt(before - 1)) < 0) {
            out.print('\007'); // an argument, not a command
            return;
        }
        String prefix = line.substring(start, cursor);
        List<String> matches = new ArrayList<>();
        for (String name : names) {
            if (name.startsWith(prefix)) {
                matches.add(name);
            }
        }
        if (matches.isEmpty()) {
            out.print('\007');
            return;
        }
        String common = matches.get(0);
        for (String m : matches) {
            int i = 0;
            while (i < common.length() && i < m.length() && common.charAt(i) == m.charAt(i)) {
                i++;
            }
            common = common.substring(0, i);
        }
        String insert = common.substring(prefix.length()) + (matches.size() == 1 ? " " : "");
        if (!insert.isEmpty()) {
            line.insert(cursor, insert);
            cursor += insert.length();
        } else {
            out.print("\r\n" + String.join("  ", matches) + "\r\n");
        }
    }

    /** After ESC: the final letter of a CSI or SS3 sequence, or '3' for Delete; 0 for anything else. */
    private int escape() throws IOException {
        int first = in.read();
        if (first != '[' && first != 'O') {
            return 0;
        }
        int c = in.read();
        if (c >= '0' && c <= '9') {
            int number = c - '0';
            while ((c = in.read()) >= '0' && c <= '9') {
                number = number * 10 + c - '0';
            }
            if (c != '~') {
                return 0;
            }
            return switch (number) {
                case 1, 7 -> 'H';
                case 4, 8 -> 'F';
                case 3 -> '3';
                default -> 0;
            };
        }
        return c < 0 ? 0 : c;
    }

    private void redraw() {
        out.print("\r" + prompt + line + "\033[K");
        int back = line.length() - cursor;
        if (back > 0) {
            out.print("\033[" + back + "D");
        }
        out.flush();
    }

    /** One UTF-8 character, or a control byte; -1 at the end. */
    private int readCodePoint() throws IOException {
        int b = in.read();
        if (b < 0x80) {
            return b;
        }
        int more = b >= 0xf0 ? 3 : b >= 0xe0 ? 2 : b >= 0xc0 ? 1 : 0;
        int cp = b & (0x3f >> more);
        for (int i = 0; i < more; i++) {
            int next = in.read();
            if (next < 0) {
                return -1;
            }
            cp = cp << 6 | next & 0x3f;
        }
        return more == 0 ? 0xfffd : cp;
    }
}
