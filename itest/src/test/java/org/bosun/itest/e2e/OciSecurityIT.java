package org.bosun.itest.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;

/**
 * {@link SecurityIT}'s escape attempts on the oci engine with runc: the policy the security modules
 * recorded reaches {@code config.json} (capabilities, no_new_privs, seccomp, masked and read-only
 * paths) and runc enforces it (no_new_privs also on crun). Each refusal is shown to come from the protection by turning it off,
 * after which the same action gets past it.
 */
public class OciSecurityIT extends E2eCase {
    @ClassRule
    public static final BosunFixture FIXTURE = new BosunFixture();

    static final List<String> OCI = List.of("--stage1-name=oci", "--stage1-option=runtime=runc");
    private static Path images;
    private static Path escapeAci;
    private static Path nnpOffAci;

    public OciSecurityIT(Mode mode) {
        super(FIXTURE, mode);
    }

    @BeforeClass
    public static void buildImages() throws Exception {
        images = Files.createTempDirectory("bosun-oci-security-it-");
        Path helper = SecurityIT.compileEscape(images);
        escapeAci = SecurityIT.image(images, "example.com/escape", "", helper);
        nnpOffAci = SecurityIT.image(images, "example.com/escape-nnp-off",
                ",\"isolators\":[{\"name\":\"os/linux/no-new-privileges\",\"value\":false}]", helper);
    }

    @AfterClass
    public static void removeImages() {
        if (images != null) {
            E2e.deleteTree(images);
        }
    }

    @Test
    public void escapeAttemptsFromADefaultPodAreRefusedAndGetPastWithAllRunProtectionsOff() throws Exception {
        Map<String, String> secure = escapes(INSECURE);
        for (String action : SecurityIT.ESCAPES) {
            assertEquals(action + " from a default pod: " + secure, "errno=EPERM", secure.get(action));
        }
        assertEquals("the default set keeps CAP_NET_RAW: " + secure, "ok", secure.get("raw-socket"));

        Map<String, String> open = escapes("--insecure-options=image,all-run");
        for (String action : SecurityIT.ESCAPES) {
            assertNotEquals(action + " with all-run still refused: " + open, "errno=EPERM", open.get(action));
        }
        assertEquals(open.toString(), "ok", open.get("mount"));
        assertEquals(open.toString(), "ok", open.get("ptrace"));
        assertEquals(open.toString(), "ok", open.get("keyctl"));
        assertEquals("reboot(2) got to checking its magic numbers: " + open, "errno=EINVAL", open.get("reboot"));
    }

    /**
     * With seccomp off, the capability bounding set alone still stops mount, umount and reboot. (Not
     * ptrace: an oci app's PID 1 is its own container's init, with the app's own credentials, which
     * the kernel lets it trace without CAP_SYS_PTRACE; no process outside the pod is in its PID
     * namespace to try. On nspawn PID 1 is the pod's systemd, which holds more capabilities.)
     */
    @Test
    public void capabilitiesRefuseWhatSeccompWouldLetThrough() throws Exception {
        Map<String, String> seen = escapes("--insecure-options=image,seccomp");
        assertEquals("keyctl needs no capability, only seccomp stopped it: " + seen, "ok", seen.get("keyctl"));
        for (String action : List.of("mount", "umount", "reboot")) {
            assertEquals(action + " without its capability: " + seen, "errno=EPERM", seen.get(action));
        }
    }

    @Test
    public void rawSocketsAreRefusedWhenNetRawIsRemoved() throws Exception {
        BosunResult removed = escape(List.of(INSECURE), List.of("--caps-remove=CAP_NET_RAW"), "raw-socket");
        assertEquals(removed.describe(), "raw-socket errno=EPERM\n", removed.stdout);
        BosunResult kept = escape(List.of(INSECURE), List.of(), "raw-socket");
        assertEquals(kept.describe(), "raw-socket ok\n", kept.stdout);
    }

    /**
     * A setuid-root binary gives a non-root app nothing under no_new_privs, on runc and on crun, even
     * with seccomp off (so it is no_new_privs that stops it). With the image's isolator switching
     * no_new_privs off, the same binary makes the app root: unlike on nspawn, seccomp need not be off
     * too, because both runtimes install the filter while still privileged when no_new_privs is off.
     */
    @Test
    public void aSetuidBinaryGivesNothingUnderNoNewPrivileges() throws Exception {
        for (String runtime : List.of("runc", "crun")) {
            List<String> engine = List.of("--stage1-name=oci", "--stage1-option=runtime=" + runtime);
            BosunResult secure = suidEuid(engine, INSECURE, escapeAci);
            assertEquals(runtime + ": " + secure.describe(), "euid=65534\n", secure.stdout);
            BosunResult seccompOff = suidEuid(engine, "--insecure-options=image,seccomp", escapeAci);
            assertEquals(runtime + ": " + seccompOff.describe(), "euid=65534\n", seccompOff.stdout);
            BosunResult nnpOff = suidEuid(engine, INSECURE, nnpOffAci);
            assertEquals(runtime + ": " + nnpOff.describe(), "euid=0\n", nnpOff.stdout);
            // the app's own setting: false over the image's default, true over the image's false; the
            // default seccomp filter is still installed without no_new_privs
            BosunResult flagOff = suidEuid(engine, INSECURE, escapeAci, "--no-new-privileges=false");
            assertEquals(runtime + ": " + flagOff.describe(), "euid=0\nSeccomp:\t2\n", flagOff.stdout);
            BosunResult flagOn = suidEuid(engine, INSECURE, nnpOffAci, "--no-new-privileges=true");
            assertEquals(runtime + ": " + flagOn.describe(), "euid=65534\nSeccomp:\t2\n", flagOn.stdout);
        }
    }

    private BosunResult suidEuid(List<String> engine, String insecure, Path aci) throws Exception {
        return suidEuid(engine, insecure, aci, null);
    }

    /** With {@code flag}, the app also prints its seccomp mode after the euid the setuid binary had. */
    private BosunResult suidEuid(List<String> engine, String insecure, Path aci, String flag) throws Exception {
        List<String> args = new ArrayList<>(List.of("run", insecure));
        args.addAll(engine);
        args.addAll(List.of("--net=none", aci.toString(), "--user=nobody"));
        if (flag != null) {
            args.addAll(List.of(flag, "--exec", "/bin/sh", "--", "-c",
                    "/bin/suid-escape euid; grep ^Seccomp: /proc/self/status"));
        } else {
            args.addAll(List.of("--exec", "/bin/suid-escape", "--", "euid"));
        }
        BosunResult r = bosun(args.toArray(String[]::new));
        assertExit(0, r);
        return r;
    }

    @Test
    public void kernelSymbolsAreMaskedAndKernelTunablesReadOnlyUnlessPathsAreOff() throws Exception {
        String script = "if head -c1 /proc/kallsyms 2>/dev/null | grep -q .; then echo kallsyms=readable;"
                + " else echo kallsyms=masked; fi; "
                + "if echo bosun-test > /proc/sys/kernel/domainname 2>/dev/null; then echo sysctl=written;"
                + " else echo sysctl=refused; fi";
        BosunResult secure = shell(INSECURE, script);
        assertEquals(secure.describe(), "kallsyms=masked\nsysctl=refused\n", secure.stdout);
        // domainname belongs to the pod's own UTS namespace: writing it harms nothing.
        BosunResult open = shell("--insecure-options=image,paths", script);
        assertEquals(open.describe(), "kallsyms=readable\nsysctl=written\n", open.stdout);
    }

    private Map<String, String> escapes(String insecure) throws Exception {
        List<String> actions = new ArrayList<>(SecurityIT.ESCAPES);
        actions.add("raw-socket");
        BosunResult r = escape(List.of(insecure), List.of(), actions.toArray(String[]::new));
        Map<String, String> seen = new HashMap<>();
        for (String line : r.stdoutLines()) {
            int space = line.indexOf(' ');
            if (space > 0) {
                seen.put(line.substring(0, space), line.substring(space + 1));
            }
        }
        assertEquals("one line per action:\n" + r.describe(), actions.size(), seen.size());
        return seen;
    }

    private BosunResult escape(List<String> podFlags, List<String> appFlags, String... actions) throws Exception {
        List<String> args = new ArrayList<>(List.of("run"));
        args.addAll(podFlags);
        args.addAll(OCI);
        args.add("--net=none");
        args.add(escapeAci.toString());
        args.addAll(appFlags);
        args.addAll(List.of("--exec", "/bin/escape", "--"));
        args.addAll(List.of(actions));
        BosunResult r = bosun(args.toArray(String[]::new));
        assertTrue("exit code 0 or 1 (some action refused):\n" + r.describe(), r.exitCode == 0 || r.exitCode == 1);
        return r;
    }

    private BosunResult shell(String insecure, String script) throws Exception {
        List<String> args = new ArrayList<>(List.of("run", insecure));
        args.addAll(OCI);
        args.addAll(List.of("--net=none", escapeAci.toString(), "--exec", "/bin/sh", "--", "-c", script));
        BosunResult r = bosun(args.toArray(String[]::new));
        assertExit(0, r);
        return r;
    }
}
