package org.bosun.stage1.nspawn;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;

import java.util.List;

import org.junit.Test;

public class UnitSyntaxTest {

    @Test
    public void everyCommandWordIsDoubleQuoted() {
        assertEquals("\"/bin/sh\" \"-c\" \"echo hi\"", UnitSyntax.commandLine(List.of("/bin/sh", "-c", "echo hi")));
    }

    @Test
    public void anEmptyArgumentStaysAnArgument() {
        assertEquals("\"/bin/echo\" \"\" \"x\"", UnitSyntax.commandLine(List.of("/bin/echo", "", "x")));
    }

    @Test
    public void dollarIsDoubledInCommandLinesSoSystemdDoesNotExpandIt() {
        assertEquals("\"$$HOME\" \"$${X}\" \"$$$$\"", UnitSyntax.commandLine(List.of("$HOME", "${X}", "$$")));
    }

    @Test
    public void percentIsDoubledSoSystemdResolvesNoSpecifier() {
        assertEquals("\"100%%\" \"%%n\"", UnitSyntax.commandLine(List.of("100%", "%n")));
    }

    @Test
    public void quotesBackslashesAndControlCharactersAreCEscaped() {
        assertEquals("\"q\\\"uote\" \"back\\\\slash\" \"a\\nb\" \"tab\\there\" \"bell\\x07\"",
                UnitSyntax.commandLine(List.of("q\"uote", "back\\slash", "a\nb", "tab\there", "bell\u0007")));
    }

    @Test
    public void aLoneSemicolonIsQuotedAndSoNotACommandSeparator() {
        assertEquals("\"/bin/echo\" \";\" \"x\"", UnitSyntax.commandLine(List.of("/bin/echo", ";", "x")));
    }

    @Test
    public void nonAsciiTextIsWrittenAsIs() {
        assertEquals("\"grüße ✓\"", UnitSyntax.commandLine(List.of("grüße ✓")));
    }

    @Test
    public void environmentAssignmentsKeepDollarLiteralButDoublePercent() {
        assertEquals("\"GREETING=hi $USER, 100%% \\\"sure\\\"\"",
                UnitSyntax.assignment("GREETING", "hi $USER, 100% \"sure\""));
        assertEquals("\"MULTI=a\\nb\\tc\"", UnitSyntax.assignment("MULTI", "a\nb\tc"));
        assertEquals("\"EMPTY=\"", UnitSyntax.assignment("EMPTY", ""));
    }

    @Test
    public void pathsOnlyDoublePercent() {
        assertEquals("/srv/my dir/100%%", UnitSyntax.path("/srv/my dir/100%"));
    }

    @Test
    public void environmentNamesSystemdRefusesAreReported() {
        assertNull(UnitSyntax.environmentProblem("PATH", "/bin"));
        assertNull(UnitSyntax.environmentProblem("_x1", "tab\tand\nnewline"));
        assertNotNull(UnitSyntax.environmentProblem("my.var", "x"));
        assertNotNull(UnitSyntax.environmentProblem("1X", "x"));
        assertNotNull(UnitSyntax.environmentProblem("X", "bell\u0007"));
    }

    @Test
    public void workingDirectoriesSystemdWouldMisreadAreReported() {
        assertNull(UnitSyntax.pathProblem("/srv/my dir"));
        assertNotNull(UnitSyntax.pathProblem("/srv/dir "));
        assertNotNull(UnitSyntax.pathProblem("/srv/dir\\"));
        assertNotNull(UnitSyntax.pathProblem("/srv/a\nb"));
    }
}
