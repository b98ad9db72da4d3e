package org.bosun.stage1.nspawn;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.bosun.host.cgroup.CgroupTree;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * The device program, loaded by the run script's loader into a scratch cgroup2 cgroup, refuses
 * what the kernel is asked for by a process in there (device nodes it makes itself, as an app can): the cgroup v1 devices controller does not
 * restrict this process (its v1 cgroup allows every device), so only the program can refuse, and
 * the same probe without the program opens the host's loop device.
 */
public class PodDevicesTest {
    private static final String EPERM = "Operation not permitted";
    private Path scratch;
    private Path work;

    @Before
    public void scratchCgroup() throws IOException {
        assumeTrue("makes cgroups and device nodes: needs root", "root".equals(System.getProperty("user.name")));
        assumeTrue("needs a cgroup2 hierarchy", PodCgroup.ofHost().isPresent());
        PodCgroup host = PodCgroup.ofHost().get();
        String own = null;
        for (String line : Files.readAllLines(Path.of("/proc/self/cgroup"))) {
            if (line.startsWith("0::")) {
                own = line.substring(3);
            }
        }
        scratch = host.dir(own).resolve("bosun-test-devices-" + UUID.randomUUID());
        Files.createDirectory(scratch);
        work = Files.createTempDirectory("bosun-devices");
        Files.writeString(work.resolve(PodDevices.LOADER), PodDevices.loader());
        Files.writeString(work.resolve(PodDevices.PROGRAM), PodDevices.program());
    }

    @After
    public void removeAll() throws IOException {
        if (scratch != null) {
            List<Path> cgroups = CgroupTree.walk(scratch);
            CgroupTree.kill(cgroups);
            assertEquals(List.of(), CgroupTree.remove(cgroups));
        }
        if (work != null) {
            try (var files = Files.walk(work)) {
                files.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test(timeout = 60_000)
    public void onlyTheListedDevicesOpenInACgroupWithTheProgram() throws Exception {
        Path legacy = LegacyCgroups.own("devices");
        if (legacy != null) {
            assertEquals("this process's v1 devices cgroup " + legacy + " allows everything", "a *:* rwm",
                    Files.readString(legacy.resolve("devices.list")).strip());
        }
        List<String> without = probe();
        assertTrue(without.toString(), without.contains("mknod loop ok"));
        assertTrue("without the program the loop device opens: " + without, without.contains(work + "/loop open"));
        assertTrue(without.toString(), without.stream().noneMatch(line -> line.contains(EPERM)));

        Result load = load(scratch);
        assertEquals(load.stderr, 0, load.rc);
        List<String> with = probe();
        assertEquals(List.of("mknod loop ok", "mknod tty1 ok", "mknod mem ok", "mknod null ok", work + "/loop " + EPERM,
                work + "/tty1 " + EPERM, work + "/mem " + EPERM, work + "/null open", "/dev/null open",
                "/dev/zero open", "/dev/full open", "/dev/urandom open", "/dev/ptmx open"), with);
    }

    @Test(timeout = 60_000)
    public void nothingBelowTheProgramCanAddToIt() throws Exception {
        assertEquals(0, load(scratch).rc);
        Path below = Files.createDirectory(scratch.resolve("payload"));
        Result again = load(below);
        assertEquals(125, again.rc);
        assertEquals("bosun: cannot attach the pod's device program to " + below + ": " + EPERM
                + "; the nspawn engine restricts a pod's devices with an eBPF program on its cgroup2 cgroup, which"
                + " needs Linux 4.15 or later and CAP_SYS_ADMIN (or CAP_BPF)\n", again.stderr);
    }

    @Test(timeout = 60_000)
    public void aProgramTheKernelRefusesFailsInOneLine() throws Exception {
        Files.writeString(work.resolve(PodDevices.PROGRAM), "9500000000000000\n"); // exit with r0 never set
        Result r = load(scratch);
        assertEquals(125, r.rc);
        assertTrue(r.stderr, r.stderr.startsWith("bosun: cannot load the pod's device program ("));
        assertEquals(r.stderr, 1, r.stderr.lines().count());
    }

    /** Nothing of the pod runs in its cgroup2 cgroup before the program is attached to it. */
    @Test
    public void theRunScriptAttachesTheProgramBetweenMakingThePodsCgroupAndEnteringIt() {
        String script = Stage1Tree.runScript();
        int made = script.indexOf("/usr/bin/mkdir \"$hierarchy$cgroup\"");
        int attached = script.indexOf(PodDevices.bpfPart());
        int entered = script.indexOf("echo $$ > \"$hierarchy$cgroup/cgroup.procs\"");
        assertTrue(script, made > 0 && made < attached && attached < entered);
        assertTrue(script, script.indexOf("exec \"$@\"") > entered);
        assertTrue(PodDevices.bpfPart(), PodDevices.bpfPart().endsWith(" || exit 125\n"));
    }

    private record Result(int rc, String stderr) {
    }

    private Result load(Path cgroup) throws Exception {
        Process p = new ProcessBuilder(AppEntry.PERL, work.resolve(PodDevices.LOADER).toString(),
                Integer.toString(PodDevices.bpfSyscall()), cgroup.toString())
                .redirectInput(work.resolve(PodDevices.PROGRAM).toFile())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        return new Result(p.exitValue(), err);
    }

    /** In the scratch cgroup: makes a loop and a tty1 node, then opens each device read-write. */
    private List<String> probe() throws Exception {
        for (String node : List.of("loop", "tty1", "mem", "null")) {
            Files.deleteIfExists(work.resolve(node));
        }
        String script = "echo $$ > \"$1/cgroup.procs\" || exit 1\n"
                + "/usr/bin/mknod \"$2/loop\" b 7 0 && echo mknod loop ok\n"
                + "/usr/bin/mknod \"$2/tty1\" c 4 1 && echo mknod tty1 ok\n"
                + "/usr/bin/mknod \"$2/mem\" c 1 1 && echo mknod mem ok\n"
                + "/usr/bin/mknod \"$2/null\" c 1 3 && echo mknod null ok\n"
                + "exec " + AppEntry.PERL + " -e 'for (@ARGV) { if (open(my $h, \"+<\", $_)) { print \"$_ open\\n\" }"
                + " else { print \"$_ $!\\n\" } }' \"$2/loop\" \"$2/tty1\" \"$2/mem\" \"$2/null\" /dev/null /dev/zero"
                + " /dev/full /dev/urandom /dev/ptmx\n";
        Process p = new ProcessBuilder("/usr/bin/sh", "-c", script, "probe", scratch.toString(), work.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(out, 0, p.exitValue());
        return new ArrayList<>(out.lines().toList());
    }
}
