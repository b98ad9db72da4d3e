package org.bosun.launcher;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.Test;

/** The shell's line editor, fed the bytes a terminal in raw mode sends. */
public class LineEditorTest {
    private static final List<String> NAMES = List.of("bosun:list", "bosun:logs", "bosun:stop", "list", "logs", "stop");
    private final ByteArrayOutputStream screen = new ByteArrayOutputStream();

    private LineEditor editor(String keys, List<String> history) {
        return new LineEditor(new ByteArrayInputStream(keys.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(screen, true, StandardCharsets.UTF_8), history, NAMES);
    }

    @Test
    public void editsTheLineWithCursorKeys() throws Exception {
        // "lst", Left twice, "i": "list"; Ctrl-A and Ctrl-K clear the line; Ctrl-W drops a word; UTF-8 passes
        LineEditor e = editor("lst\033[D\033[Di\r" + "abc\001\013stop\r" + "one two\027three\r" + "h\u00e9llo\r", new ArrayList<>());
        assertEquals("list", e.readLine("> "));
        assertEquals("stop", e.readLine("> "));
        assertEquals("one three", e.readLine("> "));
        assertEquals("h\u00e9llo", e.readLine("> "));
        assertNull("the end of input ends the shell", e.readLine("> "));
    }

    @Test
    public void backspaceDeleteAndCtrlC() throws Exception {
        LineEditor e = editor("listx\177\r" + "xlist\001\033[3~\r" + "junk\003stop\r", new ArrayList<>());
        assertEquals("list", e.readLine("> "));
        assertEquals("list", e.readLine("> "));
        assertEquals("Ctrl-C drops the line", "stop", e.readLine("> "));
        assertTrue(screen.toString(StandardCharsets.UTF_8).contains("^C"));
    }

    @Test
    public void upAndDownWalkTheHistoryAndAcceptedLinesJoinIt() throws Exception {
        List<String> history = new ArrayList<>(List.of("bosun:list --format=json", "stop abc"));
        LineEditor e = editor("\033[A\r" + "\033[A\033[A\r" + "new\033[A\033[B\r" + "\004", history);
        assertEquals("stop abc", e.readLine("> "));
        assertEquals("bosun:list --format=json", e.readLine("> "));
        assertEquals("Down past the newest entry gives back the line being typed", "new", e.readLine("> "));
        assertNull("Ctrl-D on an empty line ends", e.readLine("> "));
        assertEquals(List.of("bosun:list --format=json", "stop abc", "bosun:list --format=json", "new"), history);
    }

    @Test
    public void tabCompletesCommandNamesOnly() throws Exception {
        LineEditor e = editor("bosun:st\t123\r" + "bosun:l\t\t\r" + "stop bosun:l\t\r" + "list | sto\t\r", new ArrayList<>());
        assertEquals("one match: the name and a space", "bosun:stop 123", e.readLine("> "));
        assertEquals("two matches with no longer common prefix: listed, the line stays", "bosun:l", e.readLine("> "));
        assertTrue(screen.toString(StandardCharsets.UTF_8).contains("bosun:list  bosun:logs"));
        assertEquals("an argument is not completed", "stop bosun:l", e.readLine("> "));
        assertEquals("a command after a pipe is", "list | stop ", e.readLine("> "));
    }
}
