package org.bosun.itest.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.ClassRule;
import org.junit.Test;

/**
 * {@code bosun enter} gives the entered process exactly the app's security context (issue 12, item
 * 2), on every engine: the same capability sets, no_new_privs, seccomp mode and number of filters,
 * cgroups, namespaces, user and groups, SELinux label, as the app's own process shows them, and
 * mount is refused to it as to the app. The same for a non-root app with fewer capabilities in a
 * pod with a user namespace.
 */
public class EnterContextIT extends E2eCase {
    @ClassRule
    public static final BosunFixture FIXTURE = new BosunFixture();

    static final List<List<String>> ENGINES = List.of(List.of("--stage1-name=nspawn"),
            List.of("--stage1-name=oci", "--stage1-option=runtime=runc"),
            List.of("--stage1-name=oci", "--stage1-option=runtime=crun"));
    /** What a process shows of its security context, ended by a line END. */
    static final String CONTEXT = "grep -E '^(Cap|NoNewPrivs|Seccomp|Groups)' /proc/self/status; cat /proc/self/cgroup; "
            + "cat /proc/self/attr/current 2>/dev/null; for ns in mnt cgroup pid net uts ipc user; do readlink /proc/self/ns/$ns; done; "
            + "id; echo END";
    /** busybox mount says "permission denied" for EPERM only; /dev exists in every app. */
    static final String MOUNT = "if mount -t tmpfs bosun-enter /dev 2>&1 | grep -q 'permission denied'; then echo mount=refused;"
            + " else echo mount=not-refused; fi";

    public EnterContextIT(Mode mode) {
        super(FIXTURE, mode);
    }

    @Test
    public void theEnteredProcessHasTheAppsSecurityContextOnEveryEngine() throws Exception {
        for (List<String> engine : ENGINES) {
            enterAndCompare(engine, List.of(), List.of());
        }
    }

    @Test
    public void aNonRootAppInAUserNamespaceIsEnteredAsItsUserWithItsCapabilities() throws Exception {
        // the oci runtime works as the pod's unprivileged host uid, which must pass the data directory's parents
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwx--x--x"));
        for (List<String> engine : ENGINES) {
            String context = enterAndCompare(engine, List.of("--private-users"),
                    List.of("--user=65534", "--group=65534", "--caps-retain=CAP_KILL,CAP_NET_BIND_SERVICE"));
            // at most the two retained (CAP_KILL bit 5, CAP_NET_BIND_SERVICE bit 10), and CAP_KILL
            long bounding = Long.parseLong(context.replaceAll("(?s).*CapBnd:\t([0-9a-f]+)\n.*", "$1"), 16);
            assertEquals(engine + ": " + context, 0x20, bounding & ~0x400L);
            assertTrue(engine + ": " + context, context.contains("CapEff:\t0000000000000000\n"));
            assertTrue(engine + ": " + context, context.contains("uid=65534"));
        }
    }

    /** Runs a pod that shows its context, enters it to show the entered process's; returns the context. */
    private String enterAndCompare(List<String> engine, List<String> podFlags, List<String> appFlags) throws Exception {
        Path uuidFile = work.resolve("pod.uuid");
        Files.deleteIfExists(uuidFile);
        List<String> args = new ArrayList<>(List.of("run", INSECURE, "--net=none", "--uuid-file-save=" + uuidFile));
        args.addAll(engine);
        args.addAll(podFlags);
        args.add(aci());
        args.addAll(appFlags);
        args.addAll(List.of("--exec", "/bin/sh", "--", "-c", CONTEXT + "; exec sleep 120"));
        BosunProcess run = startBosun(args.toArray(String[]::new));
        run.closeStdin();
        StringBuilder app = new StringBuilder();
        for (String line = run.nextLine(CALL_TIMEOUT); ; line = run.nextLine(CALL_TIMEOUT)) {
            assertNotNull(engine + ": the app did not show its context:\n" + run.snapshot(), line);
            app.append(line).append('\n');
            if (line.equals("END")) {
                break;
            }
        }
        String uuid = Files.readString(uuidFile).trim();
        BosunResult entered = bosun("enter", uuid, "/bin/sh", "-c", CONTEXT + "; " + MOUNT);
        assertExit(0, entered);
        assertEquals(engine + " " + podFlags + appFlags + ": the entered process's context is the app's\n"
                + entered.describe(), app + "mount=refused\n", entered.stdout);
        assertTrue(app.toString(), app.toString().contains("Seccomp:\t2\n"));
        assertExit(0, bosun("stop", uuid));
        run.await(Duration.ofSeconds(30));
        return app.toString();
    }
}
