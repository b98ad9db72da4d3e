package org.bosun.api.app;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import org.bosun.api.BosunException;
import org.bosun.api.ErrorKind;
import org.junit.Test;

public class AppIoTest {
    @Test
    public void theCriLogIsALineOfItsOwnAndReadBack() {
        AppIo io = AppIo.DEFAULT.withCriLog("/var/log/pods/team_web_uid/main/0 copy.log");
        assertEquals("stdin null\nstdout log\nstderr log\ncri-log /var/log/pods/team_web_uid/main/0 copy.log\n",
                io.text());
        assertEquals(io, AppIo.parse(io.text()));
        assertNull(AppIo.parse(AppIo.DEFAULT.text()).criLog());
    }

    @Test
    public void aCriLogPathMustBeAnAbsoluteFileOnOneLine() {
        for (String bad : new String[] {"main/0.log", "/var/log/pods/", "/var/log/a\nb"}) {
            BosunException e = assertThrows(BosunException.class, () -> AppIo.DEFAULT.withCriLog(bad));
            assertEquals(ErrorKind.INVALID_ARGUMENT, e.kind());
            assertTrue(e.getMessage(), e.getMessage().contains("not an absolute path of a file"));
        }
    }

    @Test
    public void aTerminalIsAllThreeStreamsOrNoneAndKeepsItsCriLog() {
        AppIo tty = new AppIo(AppIo.Mode.TTY, AppIo.Mode.TTY, AppIo.Mode.TTY).withCriLog("/var/log/pods/p/c/0.log");
        assertTrue(tty.tty());
        assertEquals(tty, AppIo.parse(tty.text()));
        assertEquals(java.util.List.of(AppIo.Stream.STDIN, AppIo.Stream.STDOUT, AppIo.Stream.STDERR), tty.attachable());
        for (AppIo.Mode[] half : new AppIo.Mode[][] {{AppIo.Mode.TTY, AppIo.Mode.LOG, AppIo.Mode.TTY},
                {AppIo.Mode.NULL, AppIo.Mode.TTY, AppIo.Mode.TTY}, {AppIo.Mode.TTY, null, null}}) {
            BosunException e = assertThrows(BosunException.class, () -> new AppIo(half[0], half[1], half[2]));
            assertEquals(ErrorKind.INVALID_ARGUMENT, e.kind());
            assertTrue(e.getMessage(), e.getMessage().contains("--stdin=tty --stdout=tty --stderr=tty")
                    && !e.getMessage().contains("\n"));
        }
    }

    @Test
    public void aOnceStdinIsALineOfItsOwnKeptWithTheCriLogAndOnlyForAStreamStdin() {
        AppIo once = new AppIo(AppIo.Mode.STREAM, AppIo.Mode.STREAM, AppIo.Mode.STREAM).withStdinOnce()
                .withCriLog("/var/log/pods/p/c/0.log");
        assertTrue(once.stdinOnce());
        assertEquals("stdin stream\nstdout stream\nstderr stream\ncri-log /var/log/pods/p/c/0.log\nstdin-once\n",
                once.text());
        assertEquals(once, AppIo.parse(once.text()));
        assertEquals(false, AppIo.parse("stdin stream\n").stdinOnce());
        for (AppIo.Mode mode : new AppIo.Mode[] {AppIo.Mode.NULL, AppIo.Mode.TTY}) {
            BosunException e = assertThrows(BosunException.class, () -> new AppIo(mode, mode == AppIo.Mode.TTY ? mode
                    : AppIo.Mode.LOG, mode == AppIo.Mode.TTY ? mode : AppIo.Mode.LOG).withStdinOnce());
            assertEquals(ErrorKind.INVALID_ARGUMENT, e.kind());
            assertEquals("only a stream stdin can be attached to once; give --stdin=stream, not " + mode.label(),
                    e.getMessage());
        }
    }
}
