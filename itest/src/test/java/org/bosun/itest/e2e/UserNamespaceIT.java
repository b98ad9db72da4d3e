package org.bosun.itest.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.ClassRule;
import org.junit.Test;

/**
 * {@code --private-users} (issue 6): root in the pod is a host uid of a range bosun allocated for the
 * pod alone, on each isolating engine. What the pod's root creates is owned on the host by that uid
 * (seen in the pod's copied rootfs); two pods get disjoint ranges; gc frees them. The allocation
 * record is {@code DATA/userns-ranges}, {@code HOSTID SIZE UUID} a line.
 */
public class UserNamespaceIT extends E2eCase {
    @ClassRule
    public static final BosunFixture FIXTURE = new BosunFixture();

    static final long FIRST_HOST_ID = 524288;
    static final long SIZE = 65536;

    public UserNamespaceIT(Mode mode) {
        super(FIXTURE, mode);
    }

    @Test
    public void onNspawnAFileMadeByThePodsRootIsOwnedByItsHostUidAndGcFreesTheRange() throws Exception {
        fileMadeByRootIsOwnedByTheMappedHostUid("--stage1-name=nspawn");
    }

    @Test
    public void onOciWithRuncAFileMadeByThePodsRootIsOwnedByItsHostUidAndGcFreesTheRange() throws Exception {
        // runc sets the containers up as the pod's unprivileged host uid: it must get through the test's private dir.
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwx--x--x"));
        fileMadeByRootIsOwnedByTheMappedHostUid("--stage1-name=oci", "--stage1-option=runtime=runc");
    }

    @Test
    public void onOciAPodInADirOthersCannotSearchIsRefusedAtPrepareNamingTheDir() throws Exception {
        BosunResult r = bosun("prepare", INSECURE, "--private-users", "--net=none", "--stage1-name=oci", aci());
        assertOneClearLine(r);
        assertContains("names the directory", "chmod o+x " + work, r);
        assertTrue("the range went with the pod: " + rangeOwners(), rangeOwners().isEmpty());
        assertNoPods();
    }

    @Test
    public void twoPodsGetDisjointRangesAndRemovingOneFreesOnlyItsOwn() throws Exception {
        BosunResult first = bosun("prepare", INSECURE, "--private-users", "--net=none", aci());
        assertExit(0, first);
        BosunResult second = bosun("prepare", INSECURE, "--private-users", "--net=none", aci());
        assertExit(0, second);
        List<long[]> ranges = ranges();
        assertEquals(2, ranges.size());
        long a = ranges.get(0)[0];
        long b = ranges.get(1)[0];
        assertTrue("disjoint: " + a + " and " + b, a + SIZE <= b || b + SIZE <= a);
        assertTrue("above the configured first id: " + a + ", " + b, Math.min(a, b) >= FIRST_HOST_ID);
        // Each pod's copied rootfs belongs to its own range.
        assertEquals(hostIdOf(uuidIn(first)), rootfsOwner(uuidIn(first)));
        assertEquals(hostIdOf(uuidIn(second)), rootfsOwner(uuidIn(second)));

        assertExit(0, bosun("rm", uuidIn(first)));
        List<String> left = rangeOwners();
        assertEquals(List.of(uuidIn(second)), left);
    }

    @Test
    public void theFlyEngineRefusesPrivateUsersAndAllocatesNothing() throws Exception {
        BosunResult r = bosun("prepare", INSECURE, FLY, "--net=host", "--private-users", aci());
        assertOneClearLine(r);
        assertContains("names the flag", "--private-users", r);
        assertTrue(rangeOwners().isEmpty());
        assertNoPods();
    }

    private void fileMadeByRootIsOwnedByTheMappedHostUid(String... engine) throws Exception {
        List<String> args = new ArrayList<>(List.of("--debug", "run", INSECURE, "--private-users"));
        args.addAll(List.of(engine));
        args.addAll(List.of(aci(), "--exec", "/bin/sh", "--", "-c",
                "touch /made-by-root && mkdir /dir-by-root && id -u && cat /proc/self/uid_map"));
        BosunResult run = bosun(args.toArray(String[]::new));
        assertExit(0, run);
        assertTrue(run.describe(), run.stderr.contains("--private-users: the apps' rootfs are copies"));
        List<String> lines = run.stdoutLines();
        assertEquals(run.describe(), "0", lines.get(0));
        String[] map = lines.get(1).trim().split("\\s+");
        assertEquals(run.describe(), "0", map[0]);
        assertEquals(run.describe(), Long.toString(SIZE), map[2]);
        long hostId = Long.parseLong(map[1]);
        assertTrue("a host range above " + FIRST_HOST_ID + ": " + hostId, hostId >= FIRST_HOST_ID);

        String uuid = list().get(0).path("name").asText();
        assertEquals("the range recorded for the pod is the one it ran with", hostId, hostIdOf(uuid));
        Path rootfs = appRootfs(uuid);
        for (String made : List.of("made-by-root", "dir-by-root")) {
            Path p = rootfs.resolve(made);
            assertEquals(made, (int) hostId, Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS));
            assertEquals(made, (int) hostId, Files.getAttribute(p, "unix:gid", LinkOption.NOFOLLOW_LINKS));
        }

        assertExit(0, bosun("gc", "--grace-period=0s"));
        assertFalse("gc freed the pod's range: " + rangeOwners(), rangeOwners().contains(uuid));
    }

    /** {@code {hostId, size}} of each recorded range, in file order. */
    private List<long[]> ranges() throws IOException {
        List<long[]> ranges = new ArrayList<>();
        for (String line : rangeLines()) {
            String[] f = line.split(" ");
            ranges.add(new long[] {Long.parseLong(f[0]), Long.parseLong(f[1])});
        }
        return ranges;
    }

    private List<String> rangeOwners() throws IOException {
        return rangeLines().stream().map(l -> l.split(" ")[2]).toList();
    }

    private long hostIdOf(String uuid) throws IOException {
        for (String line : rangeLines()) {
            String[] f = line.split(" ");
            if (f[2].startsWith(uuid)) {
                return Long.parseLong(f[0]);
            }
        }
        throw new AssertionError("no range recorded for pod " + uuid + ": " + rangeLines());
    }

    private List<String> rangeLines() throws IOException {
        Path file = data.resolve("userns-ranges");
        return Files.exists(file) ? Files.readAllLines(file).stream().filter(l -> !l.isBlank()).toList() : List.of();
    }

    private long rootfsOwner(String uuid) throws IOException {
        return Integer.toUnsignedLong((Integer) Files.getAttribute(appRootfs(uuid), "unix:uid"));
    }

    /** The pod's only app's rootfs, wherever the pod is now. */
    private Path appRootfs(String uuid) throws IOException {
        try (Stream<Path> states = Files.list(data.resolve("pods"))) {
            for (Path state : states.toList()) {
                try (Stream<Path> pods = Files.list(state)) {
                    for (Path pod : pods.filter(p -> p.getFileName().toString().startsWith(uuid)).toList()) {
                        try (Stream<Path> apps = Files.list(pod.resolve("apps"))) {
                            return apps.findFirst().orElseThrow().resolve("rootfs");
                        }
                    }
                }
            }
        }
        throw new AssertionError("pod " + uuid + " not found in " + data.resolve("pods"));
    }
}
