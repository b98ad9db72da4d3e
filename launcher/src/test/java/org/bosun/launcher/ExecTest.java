package org.bosun.launcher;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.bosun.command.protocol.ExecPlan;
import org.junit.Test;

/**
 * {@link Exec#become}: the process a claim execs keeps the pod's lock on a descriptor no shell
 * redirection can name (10 or above). A small JVM like a client opens the lock as 4 or so, which the
 * oci supervisor's own {@code exec 4<&0} closed: the pod then looked exited while its apps ran.
 */
public class ExecTest {

    /** Run in a JVM of its own (exec replaces it): claims a pod made up in args[0] and execs a shell that names the lock's descriptors. */
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        Path from = Files.createDirectories(dir.resolve("prepared/pod"));
        Files.createDirectories(dir.resolve("run"));
        Files.createFile(from.resolve("lock"));
        Path to = dir.resolve("run/pod");
        Exec.become(new ExecPlan(List.of("/bin/sh", "-c",
                "cd /proc/$$/fd && for f in *; do case $(readlink $f) in */run/pod/lock) echo $f;; esac; done"),
                List.of("PATH=/usr/bin:/bin"), dir.toString(), new ExecPlan.Claim("pod", from.resolve("lock").toString(),
                        from.toString(), to.toString(), to.resolve("pid").toString())));
    }

    @Test
    public void theExecdProcessHoldsThePodsLockAboveTheShellsDescriptors() throws Exception {
        Path home = Path.of("target/bosun").toAbsolutePath();
        Path dir = Files.createTempDirectory("bosun-exec-");
        try {
            Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xint",
                    "-Dbosun.home=" + home, "-cp", System.getProperty("java.class.path"), ExecTest.class.getName(),
                    dir.toString()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            assertEquals(out, 0, p.waitFor());
            assertTrue("the lock's descriptors in the exec'd process: '" + out + "'", out.matches("[0-9]+"));
            assertTrue("the lock is on descriptor " + out + ", which a shell can close", Integer.parseInt(out) >= 10);
            assertEquals("the pid file names the exec'd process", Long.toString(p.pid()),
                    Files.readString(dir.resolve("run/pod/pid")).trim());
        } finally {
            EmbeddedPlatform.deleteTree(dir);
        }
    }
}
