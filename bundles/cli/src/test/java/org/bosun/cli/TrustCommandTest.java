package org.bosun.cli;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.bosun.api.ErrorKind;
import org.bosun.command.protocol.Invocation;
import org.junit.Test;

import picocli.CommandLine;

/** {@code bosun trust}: the flag combinations it refuses before any key is read, each with one line. */
public class TrustCommandTest {
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        Session session = new Session(new Invocation(List.of(args), Map.of(), "/work", 0, 0, false, 0),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), null, null, null);
        CommandLine cli = RootCommand.commandLine(session);
        return cli.execute(args);
    }

    private String line() {
        String text = err.toString(StandardCharsets.UTF_8);
        assertTrue("one line: " + text, text.endsWith("\n"));
        assertFalse("one line: " + text, text.substring(0, text.length() - 1).contains("\n"));
        return text;
    }

    @Test
    public void aKeyNeedsAPrefixOrRoot() {
        assertEquals(ErrorKind.INVALID_ARGUMENT.exitCode(), run("trust", "key.asc"));
        assertTrue(line(), line().startsWith("bosun trust: give --prefix=PREFIX"));
    }

    @Test
    public void prefixAndRootExcludeEachOther() {
        assertEquals(ErrorKind.INVALID_ARGUMENT.exitCode(), run("trust", "--root", "--prefix=example.com", "key.asc"));
        assertTrue(line(), line().contains("exclude each other"));
    }

    @Test
    public void aPrefixMustBeAnImageName() {
        assertEquals(ErrorKind.INVALID_ARGUMENT.exitCode(), run("trust", "--prefix=../etc", "key.asc"));
        assertTrue(line(), line().contains("'../etc' is not a valid image name prefix"));
    }

    @Test
    public void keyUrlsAndKeyDiscoveryNeedTheAppcFormat() {
        assertEquals(ErrorKind.UNAVAILABLE.exitCode(), run("trust", "--root", "https://example.com/key.asc"));
        assertTrue(line(), line().contains("appc image format bundle"));
    }

    @Test
    public void withoutAKeyFileNoRootKeyIsTrusted() {
        assertEquals(ErrorKind.INVALID_ARGUMENT.exitCode(), run("trust", "--root"));
        assertTrue(line(), line().contains("give the KEYFILEs"));
    }

    @Test
    public void removeNeedsAScope() {
        assertEquals(ErrorKind.INVALID_ARGUMENT.exitCode(), run("trust", "--remove", "ABCD"));
        assertTrue(line(), line().contains("--prefix=PREFIX"));
    }

    @Test
    public void fingerprintsAreShownInGroupsOfFourAsGpgDoes() {
        assertEquals("0123 4567 89AB CDEF 0123  4567 89AB CDEF 0123 4567",
                TrustCommand.grouped("0123456789ABCDEF0123456789ABCDEF01234567"));
    }
}
