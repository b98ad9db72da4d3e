package org.bosun.core;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.bosun.api.app.AppIo;
import org.bosun.api.stage1.EngineCommand;
import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * {@code bosun attach} to a stdin attached to once ({@link AppIo#stdinOnce()}), the script against an
 * app directory set up as an engine sets it up: the FIFOs, a holder that keeps the stdin open for
 * writing until the release line (the oci supervisor's own two lines), and an app that reads the FIFO
 * opened for reading only. The first attach's input reaches the app and its end is the app's end of
 * input, while the attach goes on showing the output; a second attach says it gets no stdin, and what
 * it is given never reaches the app.
 */
public class AppAttachOnceTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private Process holder;
    private Process app;

    @After
    public void stop() {
        for (Process p : new Process[] {holder, app}) {
            if (p != null) {
                p.destroyForcibly();
            }
        }
    }

    @Test(timeout = 60_000)
    public void theFirstAttachsEndIsTheAppsEndOfInputAndALaterAttachGetsNoStdin() throws Exception {
        Path dir = tmp.newFolder("apps", "cat").toPath();
        Path log = Files.createFile(dir.resolve("log"));
        mkfifo(dir.resolve(AppIo.STDIN_FIFO));
        mkfifo(dir.resolve(AppIo.STDIN_RELEASE));
        holder = new ProcessBuilder("/bin/sh", "-c", "exec 5<> \"$1/stdin\"; IFS= read -r _ <> \"$1/stdin-release\"", "holder",
                dir.toString()).start();
        // the app: what it reads into the log, a line at its end of input, then it runs on
        app = new ProcessBuilder("/bin/sh", "-c", "exec < \"$1/stdin\"; while IFS= read -r l; do echo \"got $l\" >> \"$1/log\";"
                + " done; echo saw-eof >> \"$1/log\"; exec sleep 300", "app", dir.toString()).start();
        int pid = (int) app.pid();

        Process first = attach(dir, pid);
        OutputStream in = first.getOutputStream();
        in.write("one\n".getBytes(StandardCharsets.UTF_8));
        in.flush();
        awaitLog(log, "got one");
        assertTrue(Files.exists(dir.resolve(AppIo.STDIN_CLAIM)));
        assertTrue("the holder ends at the release line", holder.waitFor(10, TimeUnit.SECONDS));
        in.close();
        awaitLog(log, "saw-eof");
        String shown = new String(first.getInputStream().readNBytes("got one\nsaw-eof\n".length()), StandardCharsets.UTF_8);
        assertEquals("got one\nsaw-eof\n", shown);
        assertTrue("the attach goes on showing the output after its end of input", first.isAlive());
        first.destroy();
        assertTrue(first.waitFor(10, TimeUnit.SECONDS));
        assertEquals("a detach (SIGTERM) ends it with 0", 0, first.exitValue());

        Process second = attach(dir, pid);
        second.getOutputStream().write("two\n".getBytes(StandardCharsets.UTF_8));
        second.getOutputStream().close();
        String said = new String(second.getErrorStream().readNBytes(20), StandardCharsets.UTF_8);
        assertEquals("bosun: the stdin of ", said);
        Thread.sleep(500);
        assertTrue("the end of its input does not end it: the output goes on", second.isAlive());
        app.destroyForcibly().waitFor();
        assertTrue("it ends with the app", second.waitFor(10, TimeUnit.SECONDS));
        assertEquals(0, second.exitValue());
        assertEquals("got one\nsaw-eof\n", Files.readString(log));
        String rest = new String(second.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals("app cat was attached to once and is closed; this attach gets its output only\n", rest);
    }

    private static Process attach(Path dir, int pid) throws IOException {
        EngineCommand cmd = AppAttach.command(dir, pid, true, true, true);
        return new ProcessBuilder(cmd.argv()).start();
    }

    private static void mkfifo(Path path) throws Exception {
        assertEquals(0, new ProcessBuilder("/usr/bin/mkfifo", "-m", "0600", path.toString()).start().waitFor());
    }

    private static void awaitLog(Path log, String text) throws Exception {
        for (int i = 0; i < 200 && !Files.readString(log).contains(text); i++) {
            Thread.sleep(50);
        }
        assertTrue("'" + text + "' in the log: " + Files.readString(log), Files.readString(log).contains(text));
    }
}
