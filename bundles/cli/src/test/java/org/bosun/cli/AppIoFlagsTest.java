package org.bosun.cli;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import java.util.ArrayList;
import java.util.List;

import org.bosun.api.BosunException;
import org.bosun.api.ErrorKind;
import org.bosun.api.app.AppIo;
import org.junit.Test;

/** rkt's {@code app add --stdin/--stdout/--stderr}, among the app's other words. */
public class AppIoFlagsTest {
    @Test
    public void theModesAreTakenFromTheAppsWordsAndTheRestIsLeftAsItWas() {
        List<String> rest = new ArrayList<>();
        AppIo io = AppCommand.ioModes(List.of("img.aci", "--stdin=stream", "--name=x", "--stdout", "null", "--exec=/bin/sh",
                "--", "-c", "--stderr=stream"), rest);
        assertEquals(new AppIo(AppIo.Mode.STREAM, AppIo.Mode.NULL, AppIo.Mode.LOG), io);
        assertEquals("after --, a word is the app's argument", List.of("img.aci", "--name=x", "--exec=/bin/sh", "--", "-c",
                "--stderr=stream"), rest);
    }

    @Test
    public void noModesAreRktsDefaults() {
        assertEquals(AppIo.DEFAULT, AppCommand.ioModes(List.of("img.aci"), new ArrayList<>()));
        assertEquals(new AppIo(AppIo.Mode.NULL, AppIo.Mode.LOG, AppIo.Mode.LOG), AppIo.DEFAULT);
    }

    @Test
    public void badModesAreRefusedAsInvalid() {
        for (List<String> words : List.of(List.of("i", "--stdout=loud"), List.of("i", "--stdin=log"), List.of("i", "--stderr"),
                List.of("i", "--stdin=tty"))) {
            BosunException e = assertThrows(words.toString(), BosunException.class,
                    () -> AppCommand.ioModes(words, new ArrayList<>()));
            assertEquals(words + ": " + e.getMessage(), ErrorKind.INVALID_ARGUMENT, e.kind());
        }
    }

    @Test
    public void aTerminalNeedsAllThreeFlags() {
        AppIo io = AppCommand.ioModes(List.of("i", "--stdin=tty", "--stdout=tty", "--stderr=tty"), new ArrayList<>());
        assertEquals(new AppIo(AppIo.Mode.TTY, AppIo.Mode.TTY, AppIo.Mode.TTY), io);
        BosunException e = assertThrows(BosunException.class,
                () -> AppCommand.ioModes(List.of("i", "--stdin=tty", "--stdout=log", "--stderr=tty"), new ArrayList<>()));
        assertEquals(ErrorKind.INVALID_ARGUMENT, e.kind());
    }

    @Test
    public void theRecordedTextReadsBackAsTheSameModes() {
        AppIo io = new AppIo(AppIo.Mode.STREAM, AppIo.Mode.STREAM, AppIo.Mode.NULL);
        assertEquals("stdin stream\nstdout stream\nstderr null\n", io.text());
        assertEquals(io, AppIo.parse(io.text()));
        assertEquals(List.of(AppIo.Stream.STDIN, AppIo.Stream.STDOUT), io.attachable());
        assertThrows(BosunException.class, () -> AppIo.parse("stdio stream\n"));
    }
}
