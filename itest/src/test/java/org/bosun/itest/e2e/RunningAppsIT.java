package org.bosun.itest.e2e;

import static org.junit.Assert.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;

import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;

/**
 * Issue 13, "Running apps": who an app runs as and what it may do, as rkt ran it, on every engine
 * it concerns (nspawn, oci with runc and with crun, fly where it applies): non-root users given as a
 * number, a name in the image, the image's own user, or a file in the image (its owner); in a user
 * namespace too; {@code --supplementary-gids} replacing the image's groups; the last of several
 * {@code no-new-privileges} isolators; event handlers as root around an app that is not; an app
 * with no capability at all; and a seccomp set without {@code errno=} killing with SIGSYS.
 */
public class RunningAppsIT extends E2eCase {
    @ClassRule
    public static final BosunFixture FIXTURE = new BosunFixture();

    /** The engines that isolate apps, each with its flags. */
    static final List<List<String>> ISOLATING = List.of(List.of("--stage1-name=nspawn"),
            List.of("--stage1-name=oci", "--stage1-option=runtime=runc"),
            List.of("--stage1-name=oci", "--stage1-option=runtime=crun"));
    static final String LABELS = "\"labels\":[{\"name\":\"os\",\"value\":\"linux\"},{\"name\":\"arch\",\"value\":\"amd64\"}]";
    static final String PASSWD = "root:x:0:0:root:/root:/bin/sh\nuser1:x:1000:1001::/:/bin/sh\n";
    static final String GROUP = "root:x:0:\ngroup1:x:1001:\n";
    /** rkt's default capabilities, all of them. */
    static final String EVERY_DEFAULT_CAPABILITY = "CAP_AUDIT_WRITE,CAP_CHOWN,CAP_DAC_OVERRIDE,CAP_FSETID,CAP_FOWNER,"
            + "CAP_KILL,CAP_MKNOD,CAP_NET_RAW,CAP_NET_BIND_SERVICE,CAP_SETUID,CAP_SETGID,CAP_SETPCAP,CAP_SETFCAP,"
            + "CAP_SYS_CHROOT";
    static final String IDS = "echo $(id -u) $(id -g)";

    /** Runs as user1 (1000) and group1 (1001) of its own passwd; /srv/owned belongs to 1002:1003. */
    static Path usersAci;
    /** A non-root app (user1) whose pre-start and post-stop handlers log who they run as. */
    static Path handlersAci;
    /** Supplementary group 3, and two no-new-privileges isolators: true, then false. */
    static Path groupsAci;

    public RunningAppsIT(Mode mode) {
        super(FIXTURE, mode);
    }

    @BeforeClass
    public static void buildImages() throws Exception {
        usersAci = TestImages.busyboxWith(FIXTURE.images, "users", manifest("users",
                "\"exec\":[\"/bin/sh\",\"-c\",\"" + IDS + "\"],\"user\":\"user1\",\"group\":\"group1\""),
                RunningAppsIT::accounts);
        handlersAci = TestImages.busyboxWith(FIXTURE.images, "handlers", manifest("handlers",
                "\"exec\":[\"/bin/sh\",\"-c\",\"echo app $(id -u) >> /events/log\"],\"user\":\"user1\",\"group\":\"group1\","
                        + "\"eventHandlers\":[{\"name\":\"pre-start\",\"exec\":[\"/bin/sh\",\"-c\","
                        + "\"echo pre-start $(id -u) >> /events/log && chmod 666 /events/log\"]},"
                        + "{\"name\":\"post-stop\",\"exec\":[\"/bin/sh\",\"-c\",\"echo post-stop $(id -u) >> /events/log\"]}],"
                        + "\"mountPoints\":[{\"name\":\"events\",\"path\":\"/events\"}]"),
                RunningAppsIT::accounts);
        groupsAci = TestImages.busyboxWith(FIXTURE.images, "groups", manifest("groups",
                "\"exec\":[\"/bin/sh\"],\"user\":\"0\",\"group\":\"0\",\"supplementaryGIDs\":[3],"
                        + "\"isolators\":[{\"name\":\"os/linux/no-new-privileges\",\"value\":true},"
                        + "{\"name\":\"os/linux/no-new-privileges\",\"value\":false}]"),
                rootfs -> { });
    }

    private static String manifest(String name, String app) {
        return "{\"acKind\":\"ImageManifest\",\"acVersion\":\"0.8.11\",\"name\":\"example.com/" + name + "\"," + LABELS
                + ",\"app\":{" + app + ",\"workingDirectory\":\"/\"}}";
    }

    private static void accounts(Path rootfs) throws java.io.IOException {
        Files.writeString(rootfs.resolve("etc/passwd"), PASSWD);
        Files.writeString(rootfs.resolve("etc/group"), GROUP);
        Path owned = Files.createDirectories(rootfs.resolve("srv/owned"));
        Files.setAttribute(owned, "unix:uid", 1002);
        Files.setAttribute(owned, "unix:gid", 1003);
    }

    private static List<String> with(List<String> engine, String... args) {
        List<String> all = new ArrayList<>(List.of(INSECURE));
        all.addAll(engine);
        all.addAll(List.of(args));
        return all;
    }

    private BosunResult run(List<String> args) throws Exception {
        List<String> all = new ArrayList<>(List.of("run"));
        all.addAll(args);
        return bosun(all.toArray(String[]::new));
    }

    /** One pod per engine, two at a time; each must exit 0. */
    private List<BosunResult> onEach(List<List<String>> engines, java.util.function.Function<List<String>, List<String>> args)
            throws Exception {
        List<Callable<BosunResult>> calls = new ArrayList<>();
        for (List<String> engine : engines) {
            calls.add(() -> run(args.apply(engine)));
        }
        List<BosunResult> results = parallel(calls);
        for (BosunResult r : results) {
            assertExit(0, r);
        }
        return results;
    }

    /**
     * Was exit 217 and not a word on nspawn: the pod's systemd resolves {@code User=} in its own
     * root, which listed no user but root and nobody.
     */
    @Test
    public void nonRootUsersGivenAsNumberNameImageUserOrFileRunOnEveryEngine() throws Exception {
        List<BosunResult> results = onEach(ISOLATING, engine -> with(engine,
                usersAci.toString(), "--name=number", "--user=1000",
                "---", usersAci.toString(), "--name=name", "--user=user1", "--group=root",
                "---", usersAci.toString(), "--name=image",
                "---", usersAci.toString(), "--name=file", "--user=/srv/owned", "--group=/srv/owned"));
        for (BosunResult r : results) {
            assertEquals(r.describe(), Set.of("[number] 1000 1001", "[name] 1000 0", "[image] 1000 1001", "[file] 1002 1003"),
                    Set.copyOf(r.stdoutLines()));
        }
        // the oci runtime works as the pod's unprivileged host uid, which must pass through the data directory
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwx--x--x"));
        List<BosunResult> privateUsers = onEach(ISOLATING, engine -> with(engine, "--private-users",
                usersAci.toString(), "--user=1000", "--group=1001"));
        for (BosunResult r : privateUsers) {
            assertEquals(r.describe(), List.of("1000 1001"), r.stdoutLines());
        }
        for (String user : List.of("--user=1000", "--user=/srv/owned")) {
            BosunResult fly = run(with(List.of(FLY), usersAci.toString(), user, "--group=/srv/owned"));
            assertExit(0, fly);
            assertEquals(fly.describe(), List.of((user.equals("--user=1000") ? "1000" : "1002") + " 1003"),
                    fly.stdoutLines());
        }
    }

    @Test
    public void aUserOrGroupFileMissingFromTheImageIsRefusedInOneLine() throws Exception {
        BosunResult r = bosun("prepare", INSECURE, "--stage1-name=nspawn", usersAci.toString(), "--user=/srv/missing");
        assertExit(4, r);
        assertOneClearLine(r);
        assertContains("names the path", "/srv/missing", r);
    }

    /** rkt: --supplementary-gids replaces the image's groups; of several isolators the last counts. */
    @Test
    public void supplementaryGidsReplaceTheImagesAndTheLastNoNewPrivilegesIsolatorCounts() throws Exception {
        // seccomp and paths off: on nspawn either would imply no_new_privs (see AppSecurity)
        List<BosunResult> results = onEach(ISOLATING, engine -> {
            List<String> args = new ArrayList<>(List.of("--insecure-options=image,seccomp,paths"));
            args.addAll(engine);
            args.addAll(List.of(groupsAci.toString(), "--supplementary-gids=5,7", "--exec", "/bin/sh", "--", "-c",
                    "echo groups=$(id -G) $(grep NoNewPrivs /proc/self/status | tr -d '\\t')"));
            return args;
        });
        for (BosunResult r : results) {
            assertEquals(r.describe(), List.of("groups=0 5 7 NoNewPrivs:0"), r.stdoutLines());
        }
    }

    /** Today oci ran them as the app's user and nspawn exited 255: rkt ran them as root. */
    @Test
    public void eventHandlersRunAsRootAroundANonRootApp() throws Exception {
        List<Callable<String>> calls = new ArrayList<>();
        for (List<String> engine : ISOLATING) {
            calls.add(() -> {
                Path events = Files.createTempDirectory(work, "events-");
                Files.setPosixFilePermissions(events, PosixFilePermissions.fromString("rwxrwxrwx"));
                BosunResult r = run(with(engine, "--volume=events,kind=host,source=" + events, handlersAci.toString()));
                assertExit(0, r);
                return engine + ": " + Files.readString(events.resolve("log"));
            });
        }
        for (String log : parallel(calls)) {
            assertEquals(log, log.substring(0, log.indexOf(": ") + 2) + "pre-start 0\napp 1000\npost-stop 0\n", log);
        }
    }

    /**
     * An app may have no capability at all (bosun refused it), and a seccomp set without errno=
     * kills the process that makes a refused call with SIGSYS (bosun returned EPERM).
     */
    @Test
    public void anAppWithoutCapabilitiesRunsAndASeccompSetWithoutErrnoKillsWithSigsys() throws Exception {
        List<BosunResult> results = onEach(ISOLATING, engine -> with(engine,
                usersAci.toString(), "--name=nocaps", "--user=0", "--group=0", "--caps-remove=" + EVERY_DEFAULT_CAPABILITY,
                "--exec", "/bin/sh", "--", "-c", "grep -E '^Cap(Eff|Prm|Bnd)' /proc/self/status | tr -d '\\t'",
                "---", usersAci.toString(), "--name=sigsys", "--user=0", "--group=0",
                "--seccomp=mode=remove,mkdir,mkdirat", "--exec", "/bin/sh", "--", "-c",
                "/bin/sh -c 'mkdir /made'; echo status=$?; test -d /made || echo not-made"));
        for (BosunResult r : results) {
            assertEquals(r.describe(), Set.of("[nocaps] CapPrm:0000000000000000", "[nocaps] CapEff:0000000000000000",
                    "[nocaps] CapBnd:0000000000000000", "[sigsys] status=159", "[sigsys] not-made"),
                    Set.copyOf(r.stdoutLines()));
        }
    }
}
