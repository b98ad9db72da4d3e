package org.bosun.itest.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.AfterClass;
import org.junit.Assume;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;

/**
 * Secure by default (issue 6), on the nspawn engine, and on every isolating engine alike for the
 * escapes of {@link #REFUSED_ON_EVERY_ENGINE} (issue 12): a default pod cannot mount, unmount, reboot,
 * load a module or a kernel, trace its init, use the kernel keyring, read kernel symbols or change
 * kernel tunables, and a setuid binary gives a non-root app nothing. Each refusal is shown to come
 * from the protection by turning that protection off ({@code --insecure-options}, {@code --caps-retain},
 * an image isolator), after which the same action gets past it: {@code ok}, or the kernel's own
 * answer to its harmless arguments (EINVAL; ENOSYS where this kernel lacks the feature), never EPERM.
 *
 * <p>The actions are made by {@code escape}, a static helper compiled here with gcc from
 * {@code escape.c} (test resources) and put into a busybox image with a setuid-root copy of it.
 */
public class SecurityIT extends E2eCase {
    @ClassRule
    public static final BosunFixture FIXTURE = new BosunFixture();

    static final String NSPAWN = "--stage1-name=nspawn";
    static final List<String> ESCAPES = List.of("mount", "umount", "reboot", "init_module", "kexec_load", "ptrace",
            "keyctl");
    /**
     * The engines that isolate a pod, with the flags that choose them (fly promises no isolation:
     * one app in a chroot, see its engine's documentation).
     */
    static final Map<String, List<String>> ENGINES = engines();
    /**
     * What a default pod with no network of its own gets on every isolating engine, action by
     * action: the {@code escape} helper's actions, then the script's {@link #PROBES}. Device nodes
     * may be made, but only the OCI default devices opened (not the host's loop device, a tty,
     * loop-control, tun, mem, kmsg, a disk, or fuse, which nothing asked for); /sys shows only the pod's own network
     * interfaces and hides what is masked, and neither /sys nor /proc/sys can be written; the
     * kernel keyring, mount, ptrace and a user namespace of the app's own are refused ({@code
     * unshare -U}: podman allows it, bosun does not).
     */
    static final Map<String, String> REFUSED_ON_EVERY_ENGINE = refusedOnEveryEngine();
    /** What {@link #PROBES} look at. */
    static final List<String> PROBED = List.of("dev-ptmx", "sys-net", "sys-firmware", "sys-write", "proc-write");
    /** Shell probes, each printing one "name value" line. */
    static final String PROBES = "if : <>/dev/ptmx 2>/dev/null; then echo dev-ptmx ok; else echo dev-ptmx refused; fi\n"
            + "echo sys-net $(ls /sys/class/net)\n"
            + "if [ -z \"$(ls -A /sys/firmware 2>/dev/null)\" ]; then echo sys-firmware empty;"
            + " else echo sys-firmware $(ls -A /sys/firmware); fi\n"
            // the pod's own loopback, its MTU written back as it is: harmless were it allowed
            + "mtu=$(cat /sys/class/net/lo/mtu)\n"
            + "if echo \"$mtu\" > /sys/class/net/lo/mtu 2>/dev/null; then echo sys-write written; else echo sys-write refused; fi\n"
            // the pod's own UTS namespace: harmless were it allowed
            + "if echo bosun-test > /proc/sys/kernel/domainname 2>/dev/null; then echo proc-write written;"
            + " else echo proc-write refused; fi\n";
    private static Path images;
    private static Path escapeAci;
    private static Path nnpOffAci;

    public SecurityIT(Mode mode) {
        super(FIXTURE, mode);
    }

    @BeforeClass
    public static void buildImages() throws Exception {
        images = Files.createTempDirectory("bosun-security-it-");
        Path helper = compileEscape(images);
        escapeAci = image(images, "example.com/escape", "", helper);
        nnpOffAci = image(images, "example.com/escape-nnp-off",
                ",\"isolators\":[{\"name\":\"os/linux/no-new-privileges\",\"value\":false}]", helper);
    }

    /** The {@code escape} helper, compiled statically from the test resource {@code escape.c} into {@code dir}. */
    static Path compileEscape(Path dir) throws Exception {
        Path source = dir.resolve("escape.c");
        try (InputStream in = SecurityIT.class.getResourceAsStream("escape.c")) {
            Files.copy(in, source);
        }
        Path helper = dir.resolve("escape");
        exec(dir, "gcc", "-static", "-O1", "-o", helper.toString(), source.toString());
        return helper;
    }

    @AfterClass
    public static void removeImages() {
        if (images != null) {
            E2e.deleteTree(images);
        }
    }

    @Test
    public void escapeAttemptsFromADefaultPodAreRefused() throws Exception {
        Map<String, String> seen = escapes(run(INSECURE));
        for (String action : ESCAPES) {
            assertEquals(action + " from a default pod: " + seen, "errno=EPERM", seen.get(action));
        }
        assertEquals("the default set keeps CAP_NET_RAW: " + seen, "ok", seen.get("raw-socket"));
    }

    @Test
    public void theSameAttemptsGetPastTheProtectionsWhenAllRunProtectionsAreOff() throws Exception {
        Map<String, String> seen = escapes(run("--insecure-options=image,all-run"));
        for (String action : ESCAPES) {
            assertNotEquals(action + " with --insecure-options=all-run still refused: " + seen, "errno=EPERM",
                    seen.get(action));
        }
        assertEquals(seen.toString(), "ok", seen.get("mount"));
        assertEquals(seen.toString(), "ok", seen.get("ptrace"));
        assertEquals(seen.toString(), "ok", seen.get("keyctl"));
        assertEquals("reboot(2) got to checking its magic numbers: " + seen, "errno=EINVAL", seen.get("reboot"));
        assertEquals("umount(2) got to checking its target: " + seen, "errno=EINVAL", seen.get("umount"));
    }

    /** Capabilities and seccomp each refuse on their own: with seccomp off, capabilities still stop mount. */
    @Test
    public void capabilitiesRefuseWhatSeccompWouldLetThrough() throws Exception {
        Map<String, String> seen = escapes(run("--insecure-options=image,seccomp"));
        assertEquals("keyctl needs no capability, only seccomp stopped it: " + seen, "ok", seen.get("keyctl"));
        for (String action : List.of("mount", "umount", "reboot", "ptrace")) {
            assertEquals(action + " without CAP_SYS_ADMIN/CAP_SYS_BOOT/CAP_SYS_PTRACE: " + seen, "errno=EPERM",
                    seen.get(action));
        }
        BosunResult status = bosun("status", onlyPod());
        assertLine("protections-off=seccomp", status);
    }

    @Test
    public void rawSocketsAreRefusedWhenNetRawIsRemoved() throws Exception {
        BosunResult run = bosun("run", INSECURE, NSPAWN, escapeAci.toString(), "--caps-remove=CAP_NET_RAW",
                "--exec", "/bin/escape", "--", "raw-socket");
        assertExit(0, run);
        assertEquals(run.describe(), "raw-socket errno=EPERM\n", run.stdout);
    }

    @Test
    public void capsRetainGivesExactlyTheNamedCapabilities() throws Exception {
        BosunResult run = bosun("run", INSECURE, NSPAWN, escapeAci.toString(), "--caps-retain=net_bind_service,CAP_KILL",
                "--exec", "/bin/grep", "--", "^CapBnd:", "/proc/self/status");
        assertExit(0, run);
        // CAP_KILL is bit 5, CAP_NET_BIND_SERVICE bit 10
        assertEquals(run.describe(), "CapBnd:\t0000000000000420\n", run.stdout);
    }

    @Test
    public void aSetuidBinaryGivesNothingUnderNoNewPrivileges() throws Exception {
        BosunResult run = bosun("run", INSECURE, NSPAWN, escapeAci.toString(), "--user=nobody",
                "--exec", "/bin/suid-escape", "--", "euid");
        assertExit(0, run);
        assertEquals(run.describe(), "euid=65534\n", run.stdout);
        // Without no_new_privs (the image's isolator) the setuid bit makes it root. The kernel sets
        // no_new_privs anyway for any seccomp filter installed without CAP_SYS_ADMIN, and on nspawn
        // the paths protection comes with systemd's _sysctl filter: both are off too.
        BosunResult off = bosun("run", "--insecure-options=image,seccomp,paths", NSPAWN, nnpOffAci.toString(), "--user=nobody",
                "--exec", "/bin/suid-escape", "--", "euid");
        assertExit(0, off);
        assertEquals(off.describe(), "euid=0\n", off.stdout);
    }

    /**
     * {@code --no-new-privileges=false} is the image's isolator set per app, and {@code =true} wins over
     * an image's {@code false}. Where systemd would set no_new_privs itself (a non-root app with a
     * seccomp filter or kernel paths), nspawn refuses it in one line and leaves no pod behind.
     */
    @Test
    public void noNewPrivilegesFlagIsHonouredOrRefusedInOneLine() throws Exception {
        BosunResult off = bosun("run", "--insecure-options=image,seccomp,paths", NSPAWN, escapeAci.toString(),
                "--user=nobody", "--no-new-privileges=false", "--exec", "/bin/suid-escape", "--", "euid");
        assertExit(0, off);
        assertEquals(off.describe(), "euid=0\n", off.stdout);
        BosunResult on = bosun("run", "--insecure-options=image,seccomp,paths", NSPAWN, nnpOffAci.toString(),
                "--user=nobody", "--no-new-privileges", "--exec", "/bin/suid-escape", "--", "euid");
        assertExit(0, on);
        assertEquals(on.describe(), "euid=65534\n", on.stdout);
        List<String> before = E2e.podDirs(data);
        BosunResult refused = bosun("run", INSECURE, NSPAWN, escapeAci.toString(), "--user=nobody",
                "--no-new-privileges=false", "--exec", "/bin/suid-escape", "--", "euid");
        assertExit(125, refused);
        assertEquals(refused.describe(), 1, refused.stderr.strip().lines().count());
        assertTrue(refused.describe(), refused.stderr.contains("no_new_privs off, which the nspawn engine cannot give"
                + " an app running as uid 65534"));
        assertEquals(refused.describe(), before, E2e.podDirs(data));
    }

    @Test
    public void kernelSymbolsAreMaskedAndKernelTunablesReadOnly() throws Exception {
        String script = "if head -c1 /proc/kallsyms 2>/dev/null | grep -q .; then echo kallsyms=readable;"
                + " else echo kallsyms=masked; fi; "
                + "if echo bosun-test > /proc/sys/kernel/domainname 2>/dev/null; then echo sysctl=written; else echo sysctl=refused; fi";
        BosunResult secure = bosun("run", INSECURE, NSPAWN, escapeAci.toString(), "--exec", "/bin/sh", "--", "-c", script);
        assertExit(0, secure);
        assertEquals(secure.describe(), "kallsyms=masked\nsysctl=refused\n", secure.stdout);
        // domainname belongs to the pod's own UTS namespace: writing it harms nothing.
        BosunResult open = bosun("run", "--insecure-options=image,paths", NSPAWN, escapeAci.toString(),
                "--exec", "/bin/sh", "--", "-c", script);
        assertExit(0, open);
        assertEquals(open.describe(), "kallsyms=readable\nsysctl=written\n", open.stdout);
    }

    /** Kernels built without /proc/kcore or magic SysRq (like these test machines') cannot show this. */
    @Test
    public void kcoreAndSysrqTriggerAreRefused() throws Exception {
        Assume.assumeTrue("this kernel has no /proc/kcore and /proc/sysrq-trigger",
                Files.exists(Path.of("/proc/kcore")) && Files.exists(Path.of("/proc/sysrq-trigger")));
        String script = "head -c4 /proc/kcore >/dev/null 2>&1 && echo kcore=read || echo kcore=refused; "
                + "printf h > /proc/sysrq-trigger 2>/dev/null && echo sysrq=written || echo sysrq=refused";
        BosunResult secure = bosun("run", INSECURE, NSPAWN, escapeAci.toString(), "--exec", "/bin/sh", "--", "-c", script);
        assertEquals(secure.describe(), "kcore=refused\nsysrq=refused\n", secure.stdout);
        // 'h' only prints SysRq's help into the kernel log.
        BosunResult open = bosun("run", "--insecure-options=image,all-run", NSPAWN, escapeAci.toString(),
                "--exec", "/bin/sh", "--", "-c", script);
        assertEquals(open.describe(), "kcore=read\nsysrq=written\n", open.stdout);
    }

    @Test
    public void seccompFlagRefusesTheNamedCallsWithTheChosenErrno() throws Exception {
        BosunResult run = bosun("run", INSECURE, NSPAWN, escapeAci.toString(),
                "--seccomp", "mode=remove,errno=ENOSYS,mkdir,mkdirat", "--exec", "/bin/sh", "--", "-c",
                "mkdir /mnt/x 2>&1; touch /mnt/y && echo touched");
        assertExit(0, run);
        assertTrue(run.describe(), run.stdout.contains("Function not implemented"));
        assertTrue(run.describe(), run.stdout.contains("touched"));
    }

    @Test
    public void anUnknownCapabilityOrSystemCallIsOneClearLine() throws Exception {
        BosunResult cap = bosun("run", INSECURE, NSPAWN, escapeAci.toString(), "--caps-retain=CAP_FLY");
        assertOneClearLine(cap);
        assertContains("names the capability", "CAP_FLY", cap);
        BosunResult call = bosun("run", INSECURE, NSPAWN, escapeAci.toString(), "--seccomp", "mode=remove,rebooot");
        assertOneClearLine(call);
        assertContains("names the call", "rebooot", call);
        assertNoPods();
    }

    @Test
    public void versionListsTheSecurityModulesAndStatusTheProtectionsOff() throws Exception {
        BosunResult version = bosun("version");
        assertExit(0, version);
        for (String module : List.of("capabilities", "paths", "seccomp")) {
            assertTrue(version.describe(), version.stdoutLines().stream()
                    .anyMatch(l -> l.startsWith("  " + module + "  ") && l.endsWith(": active")));
        }
        escapes(run("--insecure-options=image,all-run"));
        assertLine("protections-off=capabilities,paths,seccomp", bosun("status", onlyPod()));
    }

    /**
     * This host has no SELinux (MACHINE-NOTES §12): the selinux module says so in {@code bosun version},
     * and {@code --debug} says it in one line when a pod is prepared without it, and again when it runs.
     */
    @Test
    public void anInactiveModuleIsOneDebugLineAtPrepareAndRun() throws Exception {
        Assume.assumeFalse("SELinux is enabled here", Files.exists(Path.of("/sys/fs/selinux/enforce")));
        BosunResult version = bosun("version");
        assertExit(0, version);
        String selinux = version.stdoutLines().stream().filter(l -> l.startsWith("  selinux  ")).findFirst()
                .orElseThrow(() -> new AssertionError("no selinux module in:\n" + version.describe()));
        int inactive = selinux.indexOf(": inactive (");
        assertTrue(selinux, inactive > 0 && selinux.endsWith(")"));
        String reason = selinux.substring(inactive + ": inactive (".length(), selinux.length() - 1);
        assertTrue(reason, reason.startsWith("SELinux is not enabled on this host"));
        String line = "bosun: selinux: inactive (" + reason + ")";

        BosunResult prepare = bosun("--debug", "prepare", INSECURE, NSPAWN, escapeAci.toString(), "--exec", "/bin/true");
        assertExit(0, prepare);
        assertEquals(prepare.describe(), 1, prepare.stderrLines().stream().filter(line::equals).count());
        BosunResult run = bosun("--debug", "run-prepared", uuidIn(prepare));
        assertExit(0, run);
        assertEquals(run.describe(), 1, run.stderrLines().stream().filter(line::equals).count());
    }

    /** The same escapes, refused the same way, on nspawn, oci with runc and oci with crun. */
    @Test
    public void escapeAttemptsAreRefusedAlikeOnEveryEngine() throws Exception {
        List<String> actions = new ArrayList<>(REFUSED_ON_EVERY_ENGINE.keySet());
        actions.removeAll(PROBED);
        String script = "/bin/escape " + String.join(" ", actions) + "\n" + PROBES;
        List<String> wrong = new ArrayList<>();
        for (Map.Entry<String, List<String>> engine : ENGINES.entrySet()) {
            List<String> args = new ArrayList<>(List.of("run", INSECURE));
            args.addAll(engine.getValue());
            args.addAll(List.of("--net=none", escapeAci.toString(), "--exec", "/bin/sh", "--", "-c", script));
            BosunResult r = bosun(args.toArray(String[]::new));
            assertExit(0, r);
            Map<String, String> seen = new HashMap<>();
            for (String line : r.stdoutLines()) {
                int space = line.indexOf(' ');
                seen.put(space > 0 ? line.substring(0, space) : line, space > 0 ? line.substring(space + 1) : "");
            }
            for (Map.Entry<String, String> expected : REFUSED_ON_EVERY_ENGINE.entrySet()) {
                String got = seen.get(expected.getKey());
                if (!expected.getValue().equals(got)) {
                    wrong.add(engine.getKey() + ": " + expected.getKey() + " " + got + " (expected " + expected.getValue() + ")");
                }
            }
        }
        assertEquals("escapes not refused alike on every engine:\n  " + String.join("\n  ", wrong), List.of(), wrong);
    }

    private static Map<String, List<String>> engines() {
        Map<String, List<String>> engines = new LinkedHashMap<>();
        engines.put("nspawn", List.of(NSPAWN));
        engines.put("oci+runc", List.of("--stage1-name=oci", "--stage1-option=runtime=runc"));
        engines.put("oci+crun", List.of("--stage1-name=oci", "--stage1-option=runtime=crun"));
        return Collections.unmodifiableMap(engines);
    }

    private static Map<String, String> refusedOnEveryEngine() {
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("dev-b-7-0", "errno=EPERM"); // the host's first loop device
        cases.put("dev-c-4-1", "errno=EPERM"); // tty1
        cases.put("dev-c-10-237", "errno=EPERM"); // loop-control
        cases.put("dev-c-10-229", "errno=EPERM"); // fuse, not asked for
        cases.put("dev-c-10-200", "errno=EPERM"); // tun: runc 1.1 allows it unless the engine takes it back
        cases.put("dev-c-1-1", "errno=EPERM"); // mem
        cases.put("dev-c-1-11", "errno=EPERM"); // kmsg
        cases.put("dev-b-8-0", "errno=EPERM"); // the first SCSI disk, whether the host has one or not
        cases.put("dev-c-1-3", "ok"); // null
        cases.put("dev-c-1-5", "ok"); // zero
        cases.put("dev-c-1-9", "ok"); // urandom
        cases.put("dev-c-1-7", "ok"); // full
        cases.put("dev-c-1-8", "ok"); // random
        // (a new ptmx node would find no devpts beside it: the pod's own /dev/ptmx is probed)
        cases.put("dev-ptmx", "ok");
        cases.put("keyctl", "errno=EPERM");
        cases.put("mount", "errno=EPERM");
        cases.put("ptrace", "errno=EPERM");
        cases.put("userns", "errno=EPERM");
        cases.put("sys-net", "lo");
        cases.put("sys-firmware", "empty");
        cases.put("sys-write", "refused");
        cases.put("proc-write", "refused");
        return Collections.unmodifiableMap(cases);
    }

    // ------------------------------------------------------------------ helpers

    private BosunResult run(String insecure) throws Exception {
        List<String> args = new ArrayList<>(List.of("run", insecure, NSPAWN, escapeAci.toString(), "--exec", "/bin/escape",
                "--"));
        args.addAll(ESCAPES);
        args.add("raw-socket");
        BosunResult r = bosun(args.toArray(String[]::new));
        assertTrue("exit code 0 or 1 (some action refused):\n" + r.describe(), r.exitCode == 0 || r.exitCode == 1);
        return r;
    }

    private static Map<String, String> escapes(BosunResult r) {
        Map<String, String> seen = new HashMap<>();
        for (String line : r.stdoutLines()) {
            int space = line.indexOf(' ');
            if (space > 0) {
                seen.put(line.substring(0, space), line.substring(space + 1));
            }
        }
        assertEquals("one line per action:\n" + r.describe(), ESCAPES.size() + 1, seen.size());
        return seen;
    }

    private String onlyPod() throws Exception {
        var pods = list();
        assertEquals(pods.toString(), 1, pods.size());
        return pods.get(0).path("name").asText();
    }

    /** A busybox ACI in {@code images} with {@code /bin/escape} and a setuid-root {@code /bin/suid-escape}. */
    static Path image(Path images, String name, String isolators, Path helper) throws Exception {
        Path layout = images.resolve(name.replace('/', '_'));
        Path rootfs = layout.resolve("rootfs");
        Files.createDirectories(rootfs.resolve("bin"));
        Files.createDirectories(rootfs.resolve("etc"));
        Files.createDirectories(rootfs.resolve("mnt"));
        Files.createDirectories(rootfs.resolve("tmp")); // where escape makes its device nodes
        Files.copy(Path.of(TestImages.BUSYBOX), rootfs.resolve("bin/busybox"), StandardCopyOption.COPY_ATTRIBUTES);
        exec(layout, "chroot", rootfs.toString(), "/bin/busybox", "--install", "-s", "/bin");
        Files.copy(helper, rootfs.resolve("bin/escape"));
        Files.copy(helper, rootfs.resolve("bin/suid-escape"));
        Files.setPosixFilePermissions(rootfs.resolve("bin/escape"), PosixFilePermissions.fromString("rwxr-xr-x"));
        exec(layout, "chmod", "4755", rootfs.resolve("bin/suid-escape").toString());
        Files.writeString(rootfs.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534::/:/bin/sh\n");
        Files.writeString(rootfs.resolve("etc/group"), "root:x:0:\nnogroup:x:65534:\n");
        Files.writeString(layout.resolve("manifest"), "{\"acKind\":\"ImageManifest\",\"acVersion\":\"0.8.11\",\"name\":\""
                + name + "\",\"labels\":[{\"name\":\"version\",\"value\":\"1.0\"},{\"name\":\"os\",\"value\":\"linux\"},"
                + "{\"name\":\"arch\",\"value\":\"amd64\"}],\"app\":{\"exec\":[\"/bin/sh\"],\"user\":\"0\",\"group\":\"0\""
                + isolators + "}}");
        Path aci = images.resolve(name.replace('/', '_') + ".aci");
        exec(images, TestImages.ACTOOL, "build", "--overwrite", layout.toString(), aci.toString());
        return aci;
    }

    static void exec(Path dir, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed:\n" + out);
        }
    }
}
