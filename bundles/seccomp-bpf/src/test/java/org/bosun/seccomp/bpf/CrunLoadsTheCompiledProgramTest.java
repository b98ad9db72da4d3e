package org.bosun.seccomp.bpf;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The real kernel, through crun: a busybox container whose program comes from the annotation
 * run.oci.seccomp_bpf_data behaves as the same container with only the linux.seccomp section.
 * The container has CAP_SYS_ADMIN, so its mount and unshare can only fail because of seccomp
 * (the run without seccomp shows they succeed otherwise).
 */
public class CrunLoadsTheCompiledProgramTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CRUN = "/usr/bin/crun";
    private static final String BUSYBOX = "/bin/busybox";
    /** What the container does: its seccomp mode, then two calls the profile refuses. */
    private static final String SCRIPT = "grep Seccomp: /proc/self/status; true && echo true=$?;"
            + " mount -t tmpfs x /mnt 2>&1; echo mount=$?; unshare -U true 2>&1; echo unshare=$?";
    private static Path work;
    private static String whitelist;

    @BeforeClass
    public static void makeBusyboxRootfs() throws Exception {
        for (String tool : List.of(CRUN, BUSYBOX)) {
            if (!Files.isExecutable(Path.of(tool))) {
                throw new AssertionError(tool + " is missing: install crun and busybox-static (scripts/install does)");
            }
        }
        work = Files.createTempDirectory("bosun-seccomp-crun-");
        Path rootfs = work.resolve("rootfs");
        for (String dir : List.of("bin", "proc", "sys", "dev", "tmp", "mnt", "etc")) {
            Files.createDirectories(rootfs.resolve(dir));
        }
        Files.copy(Path.of(BUSYBOX), rootfs.resolve("bin/busybox"));
        for (String applet : List.of("sh", "true", "cat", "grep", "mount", "unshare")) {
            Files.createSymbolicLink(rootfs.resolve("bin").resolve(applet), Path.of("busybox"));
        }
        // Everything but mount, umount2 and unshare: the container itself must run unhindered.
        ArrayNode names = JSON.createArrayNode();
        SyscallNumbers.x86_64().names().stream()
                .filter(name -> !List.of("mount", "umount2", "unshare").contains(name)).forEach(names::add);
        ObjectNode profile = JSON.createObjectNode().put("defaultAction", "SCMP_ACT_ERRNO");
        profile.putArray("architectures").add("SCMP_ARCH_X86_64").add("SCMP_ARCH_X86").add("SCMP_ARCH_X32");
        profile.putArray("syscalls").addObject().put("action", "SCMP_ACT_ALLOW").set("names", names);
        whitelist = profile.toString();
    }

    @AfterClass
    public static void removeWork() throws IOException {
        if (work != null) {
            try (Stream<Path> files = Files.walk(work)) {
                for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(file);
                }
            }
        }
    }

    @Test
    public void theAnnotatedProgramRefusesWhatTheSectionRefusesAndCrunUsesIt() throws Exception {
        String unconfined = run(null, null);
        assertTrue(unconfined, unconfined.contains("Seccomp:\t0") && unconfined.contains("mount=0")
                && unconfined.contains("unshare=0"));

        String section = run(whitelist, null);
        assertTrue(section, section.contains("Seccomp:\t2") && section.contains("true=0"));
        // busybox says "permission denied" for mount's EPERM
        assertTrue(section, section.contains("mount: permission denied (are you root?)\nmount=1"));
        assertTrue(section, section.contains("unshare(0x10000000): Operation not permitted\nunshare=1"));

        byte[] program = SeccompBpf.compile(whitelist).orElseThrow();
        assertEquals(section, run(whitelist, program));
        // With a section that allows everything, the refusals can only come from the annotation.
        assertEquals(section, run("{\"defaultAction\":\"SCMP_ACT_ALLOW\"}", program));
    }

    /** Runs SCRIPT in a fresh container and returns what it printed. */
    private static String run(String seccomp, byte[] program) throws Exception {
        String id = "bosun-seccomp-bpf-" + UUID.randomUUID().toString().substring(0, 8);
        Path bundle = Files.createDirectories(work.resolve(id));
        Path state = Files.createDirectories(work.resolve(id + "-state"));
        try {
            exec(bundle, CRUN, "spec");
            ObjectNode config = (ObjectNode) JSON.readTree(bundle.resolve("config.json").toFile());
            ObjectNode process = (ObjectNode) config.get("process");
            process.put("terminal", false);
            process.putArray("args").add("/bin/sh").add("-c").add(SCRIPT);
            for (String set : List.of("bounding", "effective", "permitted")) {
                ((ArrayNode) process.get("capabilities").get(set)).add("CAP_SYS_ADMIN");
            }
            ((ObjectNode) config.get("root")).put("path", work.resolve("rootfs").toString());
            if (seccomp != null) {
                ((ObjectNode) config.get("linux")).set("seccomp", JSON.readTree(seccomp));
            }
            if (program != null) {
                config.putObject("annotations").put("run.oci.seccomp_bpf_data",
                        Base64.getEncoder().encodeToString(program));
            }
            JSON.writeValue(bundle.resolve("config.json").toFile(), config);
            // crun refuses hybrid cgroups: hide the v2 mount in a private mount namespace.
            return exec(bundle, "unshare", "-m", "sh", "-c", "umount /sys/fs/cgroup/unified 2>/dev/null;"
                    + " exec " + CRUN + " --root " + state + " run --bundle " + bundle + " " + id);
        } finally {
            new ProcessBuilder(CRUN, "--root", state.toString(), "delete", "--force", id)
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
        }
    }

    private static String exec(Path dir, String... command) throws Exception {
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not finish in 60 s: " + output);
        }
        if (process.exitValue() != 0) {
            throw new AssertionError(String.join(" ", command) + " failed with " + process.exitValue() + ": " + output);
        }
        return output;
    }
}
