package org.bosun.stage1.nspawn;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import org.bosun.api.app.AppIo;
import org.bosun.stage1.rules.CriLogFormat;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** An added app's CRI log on the nspawn engine: its units, and its writer's script run by sh and mawk. */
public class AddedCriLogTest {
    @Rule
    public final TemporaryFolder tmp = new TemporaryFolder();

    private static final Pattern CRI_LINE = Pattern.compile(
            "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{9}Z (stdout|stderr) [PF] .*");

    @Test
    public void anAppWithACriLogWritesItsStreamsIntoTheWritersFifos() {
        AppIo io = new AppIo(AppIo.Mode.NULL, AppIo.Mode.STREAM, AppIo.Mode.STREAM).withCriLog("/var/log/pods/p/c/0.log");
        List<String> lines = List.of(AddedApps.addedDropIn("web", io).split("\n"));
        for (String line : List.of("Wants=reaper-web.service started-web.service crilog-web.service",
                "After=crilog-web.service", "StandardOutput=file:/opt/stage2/web/cri.out",
                "StandardError=file:/opt/stage2/web/cri.err")) {
            assertTrue(lines.toString(), lines.contains(line));
        }
        List<String> unit = List.of(AddedApps.criLogUnit("web", io.criLog()).split("\n"));
        for (String line : List.of("BindsTo=app-web.service", "Before=app-web.service io-web.service", "KillMode=mixed",
                "ExecStart=\"/usr/bin/sh\" \"/bosun/crilog\" \"/opt/stage2/web\" \"/bosun/cri/web/0.log\" \"1048576\" \"5\"")) {
            assertTrue(unit.toString(), unit.contains(line));
        }
    }

    @Test
    public void aTtyAppWithACriLogHasItsHolderWriteTheTerminalIntoTheStdoutFifo() {
        AppIo io = new AppIo(AppIo.Mode.TTY, AppIo.Mode.TTY, AppIo.Mode.TTY).withCriLog("/var/log/pods/p/c/0.log");
        List<String> lines = List.of(AddedApps.addedDropIn("sh", io).split("\n"));
        assertTrue(lines.toString(), lines.contains("After=io-sh.service crilog-sh.service"));
        assertTrue(lines.toString(), lines.contains("StandardOutput=tty"));
        List<String> holder = List.of(AddedApps.holderUnit("sh", io).split("\n"));
        assertTrue(holder.toString(), holder.contains("StandardOutput=file:/opt/stage2/sh/cri.out"));
    }

    @Test
    public void aCriLogInTheHostsRootIsRefusedSinceItsDirectoryIsBoundIntoThePod() {
        assertEquals(Path.of("/var/log/pods/p/c"), AddedApps.criLogDirectory("/var/log/pods/p/c/0.log", "web"));
        org.bosun.api.BosunException e = org.junit.Assert.assertThrows(org.bosun.api.BosunException.class,
                () -> AddedApps.criLogDirectory("/web.log", "web"));
        assertEquals(org.bosun.api.ErrorKind.INVALID_ARGUMENT, e.kind());
        assertTrue(e.getMessage(), e.getMessage().startsWith("the CRI log /web.log of app web is in the host's root"));
    }

    /**
     * The writer's script as the unit runs it (the programs from the stage1 rules bundle): both
     * streams, a line longer than a part, a reopen after a rename, and the end at SIGTERM with the
     * last lines written.
     */
    @Test(timeout = 60_000)
    public void theWritersScriptWritesTheCriFormatReopensAndEndsAtSigterm() throws Exception {
        assumeTrue("mawk is not installed", Files.isExecutable(Path.of("/usr/bin/mawk")));
        Path pod = tmp.newFolder("pod").toPath();
        Path dir = Files.createDirectories(pod.resolve("apps/web"));
        Path programs = tmp.newFolder("programs").toPath();
        for (String program : List.of(CriLogFormat.FORWARDER, CriLogFormat.WRITER)) {
            Files.writeString(programs.resolve(program), CriLogFormat.program(program));
        }
        Path logs = tmp.newFolder("logs").toPath();
        Path criLog = logs.resolve("0.log");
        for (String fifo : List.of(AddedApps.CRI_OUT, AddedApps.CRI_ERR, AddedApps.CRI_PIPE)) {
            assertEquals(0, new ProcessBuilder(AddedApps.MKFIFO, dir.resolve(fifo).toString()).start().waitFor());
        }
        Path script = tmp.newFile("crilog").toPath();
        Files.writeString(script, AddedApps.criLogScript().replace(AddedApps.CRI_PROGRAMS, programs.toString()));
        Process sh = new ProcessBuilder("/usr/bin/sh", script.toString(), dir.toString(), criLog.toString(), "1048576", "5")
                .redirectErrorStream(true).start();
        try {
            String longLine = "x".repeat(CriLogFormat.PART_MAX + 10);
            try (OutputStream out = Files.newOutputStream(dir.resolve(AddedApps.CRI_OUT))) {
                out.write(("first\n" + longLine + "\n").getBytes(StandardCharsets.UTF_8));
            }
            try (OutputStream err = Files.newOutputStream(dir.resolve(AddedApps.CRI_ERR))) {
                err.write("oops\n".getBytes(StandardCharsets.UTF_8));
            }
            await(criLog, 4);
            Files.move(criLog, logs.resolve("0.log.1"));
            Files.writeString(dir.resolve(AppIo.FILE), new AppIo(AppIo.Mode.NULL, AppIo.Mode.STREAM, AppIo.Mode.STREAM)
                    .withCriLog(criLog.toString()).text());
            AddedApps.reopenLog(new org.bosun.api.stage1.PodDirectory("0b9d6d43-6f0c-4a43-9f50-2f1f3c1a7a10", pod, List.of(),
                    java.util.Map.of()), "web");
            assertTrue("reopened at its path", Files.exists(criLog));
            try (OutputStream out = Files.newOutputStream(dir.resolve(AddedApps.CRI_OUT))) {
                out.write("after\n".getBytes(StandardCharsets.UTF_8));
            }
            sh.toHandle().destroy(); // SIGTERM, as systemd stops the unit (KillMode=mixed)
            assertTrue("the script ends at SIGTERM", sh.waitFor(20, TimeUnit.SECONDS));
            String said = new String(sh.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(said, 0, sh.exitValue() == 143 ? 0 : sh.exitValue());
            List<String> before = Files.readAllLines(logs.resolve("0.log.1"));
            assertEquals(before.toString(), 4, before.size());
            for (String line : before) {
                assertTrue(line, CRI_LINE.matcher(line).matches());
            }
            // each stream in its order; the two streams' forwarders are not ordered between them
            List<String> stdout = before.stream().filter(l -> l.contains(" stdout ")).toList();
            assertEquals(stdout.toString(), 3, stdout.size());
            assertTrue(stdout.get(0), stdout.get(0).endsWith(" stdout F first"));
            assertTrue(stdout.get(1), stdout.get(1).endsWith(" stdout P " + "x".repeat(CriLogFormat.PART_MAX)));
            assertTrue(stdout.get(2), stdout.get(2).endsWith(" stdout F xxxxxxxxxx"));
            assertTrue(before.toString(), before.stream().anyMatch(l -> l.endsWith(" stderr F oops")));
            List<String> after = Files.readAllLines(criLog);
            assertEquals(after.toString(), 1, after.size());
            assertTrue(after.get(0), CRI_LINE.matcher(after.get(0)).matches() && after.get(0).endsWith(" stdout F after"));
            List<String> log = Files.readAllLines(dir.resolve("log"));
            assertEquals(log.toString(), List.of("first", longLine, "after"), log.stream().filter(l -> !l.equals("oops")).toList());
            assertTrue(log.toString(), log.contains("oops"));
        } finally {
            sh.descendants().forEach(ProcessHandle::destroyForcibly);
            sh.destroyForcibly();
        }
    }

    private static void await(Path file, int lines) throws Exception {
        for (int i = 0; i < 1000; i++) {
            if (Files.exists(file) && Files.readAllLines(file).size() >= lines) {
                return;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("the CRI log " + file + " did not get " + lines + " lines");
    }
}
