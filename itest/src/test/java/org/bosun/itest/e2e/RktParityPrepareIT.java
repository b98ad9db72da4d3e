package org.bosun.itest.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Issue 13: how {@code run} and {@code prepare} read an rkt user's pod, on every engine the item
 * concerns: commands named without a path, several images without {@code ---}, {@code --mount}
 * before the first image and mount targets that are relative or go through links; stored images
 * found by name and id prefix, a child image's parent from the store, images without a platform, and
 * {@code --pod-manifest}.
 */
public class RktParityPrepareIT extends E2eCase {
    @ClassRule
    public static final BosunFixture FIXTURE = new BosunFixture();

    static final String NSPAWN = "--stage1-name=nspawn";
    static final String OCI = "--stage1-name=oci";
    /** Each engine as the flags that choose it: fly, nspawn, and oci with runc and with crun. */
    static final List<List<String>> ENGINES = List.of(List.of(FLY), List.of(NSPAWN),
            List.of(OCI, "--stage1-option=runtime=runc"), List.of(OCI, "--stage1-option=runtime=crun"));
    /** Engines that mount volumes (fly does not yet). */
    static final List<List<String>> MOUNTING_ENGINES = ENGINES.subList(1, ENGINES.size());

    /** busybox whose own command is a bare name, as a Kubernetes {@code command: ["sh", "-c", ...]}. */
    static Path bareCommandAci;
    /** busybox with {@code /dir1/real} and the link {@code /dir1/link -> real}. */
    static Path linkedAci;

    public RktParityPrepareIT(Mode mode) {
        super(FIXTURE, mode);
    }

    @BeforeClass
    public static void buildImages() throws Exception {
        bareCommandAci = TestImages.busyboxWithManifest(FIXTURE.images, "bare-command",
                TestImages.MANIFEST.replace("\"exec\":[\"/bin/sh\"]",
                        "\"exec\":[\"sh\",\"-c\",\"echo from-the-image:$0\",\"bare\"]"));
        Path dir = Files.createDirectories(FIXTURE.images.resolve("linked"));
        Path aci = TestImages.busybox(dir);
        Path rootfs = dir.resolve("busybox-layout/rootfs");
        Files.createDirectories(rootfs.resolve("dir1/real"));
        Files.createSymbolicLink(rootfs.resolve("dir1/link"), Path.of("real"));
        TestImages.exec(dir, TestImages.ACTOOL, "build", "--overwrite", dir.resolve("busybox-layout").toString(),
                aci.toString());
        linkedAci = aci;
    }

    private BosunResult run(List<String> engine, String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("run", INSECURE));
        all.addAll(engine);
        all.addAll(List.of(args));
        return bosun(all.toArray(String[]::new));
    }

    @Test
    @AgentModeOnly("the PATH lookup is prepare's code in both modes")
    public void aCommandWithoutAPathIsLookedUpInTheAppsPathInsideItsImage() throws Exception {
        for (List<String> engine : ENGINES) {
            BosunResult echo = run(engine, aci(), "--exec", "echo", "--", "hello", "from", "PATH");
            assertExit(0, echo);
            assertLine("hello from PATH", echo);

            BosunResult image = run(engine, bareCommandAci.toString());
            assertExit(0, image);
            assertLine("from-the-image:bare", image);

            // The app's own PATH is the one searched: here it holds no busybox applet.
            BosunResult elsewhere = run(engine, aci(), "--environment=PATH=/nowhere:/etc", "--exec", "echo");
            assertExit(125, elsewhere);
            assertOneClearLine(elsewhere);
            assertContains("the line names the command and the PATH", "the command 'echo' of app busybox is not in"
                    + " its image's PATH (/nowhere:/etc)", elsewhere);

            BosunResult missing = run(engine, aci(), "--exec", "no-such-command");
            assertExit(125, missing);
            assertOneClearLine(missing);
            assertContains("the line names the command", "'no-such-command'", missing);
        }
        assertNoPodsBut();
    }

    @Test
    @AgentModeOnly("the command line is parsed by the same cli code in both modes")
    public void imagesWithoutTripleDashAreAppsOfTheirOwnAsInRkt() throws Exception {
        BosunResult prepare = bosun("prepare", INSECURE, NSPAWN, aci(), "--name=first", "--exec", "echo", aci(),
                "--name=second", "--exec=/bin/true", "--", "-x", "---", aci(), "--name=third");
        String uuid = uuidIn(prepare);
        JsonNode manifest = JSON.readTree(bosun("cat-manifest", uuid).stdout);
        List<String> names = new ArrayList<>();
        manifest.path("apps").forEach(app -> names.add(app.path("name").asText()));
        assertEquals(manifest.toString(), List.of("first", "second", "third"), names);
        assertEquals(manifest.toString(), "[\"/bin/true\",\"-x\"]",
                manifest.path("apps").get(1).path("app").path("exec").toString());

        for (List<String> engine : MOUNTING_ENGINES) {
            // Each app's output lines carry its name.
            BosunResult two = run(engine, aci(), "--name=one", "--exec", "/bin/true", aci(), "--name=two", "--exec",
                    "echo", "--", "app-two");
            assertExit(0, two);
            assertLine("[two] app-two", two);

            BosunResult same = run(engine, aci(), aci());
            assertExit(125, same);
            assertOneClearLine(same);
            assertContains("the line names the conflict and the fix", "two apps are named 'busybox'; give each a"
                    + " distinct --name", same);
        }
        BosunResult samePrepare = bosun("prepare", INSECURE, NSPAWN, aci(), aci());
        assertExit(4, samePrepare);
        assertOneClearLine(samePrepare);
    }

    @Test
    @AgentModeOnly("the command line is parsed by the same cli code in both modes")
    public void aMountBeforeTheFirstImageIsEveryAppsAndATargetIsResolvedInsideTheApp() throws Exception {
        Path host = Files.createDirectories(work.resolve("host-data"));
        Files.writeString(host.resolve("file"), "shared\n");
        for (List<String> engine : MOUNTING_ENGINES) {
            BosunResult both = run(engine, "--volume=data,kind=host,source=" + host, "--mount",
                    "volume=data,target=a/b/c", aci(), "--name=one", "--exec", "cat", "--", "/a/b/c/file", "---",
                    aci(), "--name=two", "--exec", "cat", "--", "/a/b/c/file");
            assertExit(0, both);
            assertLine("[one] shared", both);
            assertLine("[two] shared", both);

            BosunResult linked = run(engine, "--volume=data,kind=host,source=" + host, linkedAci.toString(),
                    "--mount", "volume=data,target=/dir1/../dir1/.//link/baz", "--exec", "cat", "--",
                    "/dir1/real/baz/file");
            assertExit(0, linked);
            assertLine("shared", linked);

            BosunResult escaping = run(engine, "--volume=data,kind=host,source=" + host, linkedAci.toString(),
                    "--mount", "volume=data,target=/dir1/../../etc", "--exec", "/bin/true");
            assertExit(125, escaping);
            assertOneClearLine(escaping);
            assertContains("the line says the target leaves the app", "leads out of the app's root", escaping);
        }
        assertTrue("nothing was written into the host directory: " + host,
                List.of("file").equals(listing(host)));
        assertNoPodsBut();
    }

    @Test
    @AgentModeOnly("the store's lookup is the same code in both modes")
    public void storedImagesAreFoundAsRktFoundThem() throws Exception {
        BosunResult fetch = bosun("fetch", INSECURE, aci());
        assertExit(0, fetch);
        String id = fetch.stdout.strip();
        assertTrue(fetch.describe(), id.startsWith("sha512-"));

        // A name in the store, however the image came there.
        BosunResult never = bosun("fetch", "--pull-policy=never", "example.com/busybox");
        assertExit(0, never);
        assertEquals(never.describe(), id, never.stdout.strip());

        BosunResult tooShort = bosun("image", "rm", "sha512-ab");
        assertExit(4, tooShort);
        assertOneClearLine(tooShort);
        assertContains("the line says the prefix is too short", "image id prefix sha512-ab is too short", tooShort);

        BosunResult verify = bosun("image", "verify", id, "example.com/busybox");
        assertExit(0, verify);
        BosunResult rm = bosun("image", "rm", id, "example.com/busybox");
        assertExit(0, rm);
        assertEquals(rm.describe(), "removed 1 image\n", rm.stdout);
        assertEquals(rm.describe(), "", rm.stderr);

        // A local file is read whatever the pull policy.
        BosunResult file = bosun("run", INSECURE, FLY, "--pull-policy=never", aci(), "--exec", "echo", "--", "read");
        assertExit(0, file);
        assertLine("read", file);

        // A child image whose parent came from a file: the parent is taken from the store, no discovery.
        Path layout = Files.createDirectories(work.resolve("child-layout/rootfs"));
        Files.writeString(layout.resolve("child.txt"), "child\n");
        Files.writeString(layout.resolveSibling("manifest"), TestImages.MANIFEST
                .replace("example.com/busybox", "example.com/child")
                .replace("\"app\":", "\"dependencies\":[{\"imageName\":\"example.com/busybox\"}],\"app\":"));
        Path child = work.resolve("child.aci");
        TestImages.exec(work, TestImages.ACTOOL, "build", layout.getParent().toString(), child.toString());
        BosunResult parent = bosun("run", INSECURE, FLY, child.toString(), "--exec", "cat", "--", "/child.txt");
        assertExit(0, parent);
        assertLine("child", parent);

        // An image that does not say its platform is refused, as rkt did.
        Path noArch = TestImages.busyboxWithManifest(work, "no-arch", TestImages.MANIFEST
                .replace("example.com/busybox", "example.com/no-arch")
                .replace(",{\"name\":\"arch\",\"value\":\"amd64\"}", ""));
        BosunResult refused = bosun("run", INSECURE, FLY, noArch.toString());
        assertExit(125, refused);
        assertOneClearLine(refused);
        assertContains("the line says what the image lacks", "does not say which arch it is built for", refused);
        assertNoPodsBut();
    }

    @Test
    public void aPodManifestFileIsThePodAndTheFlagsItReplacesAreRefusedByName() throws Exception {
        BosunResult fetch = bosun("fetch", INSECURE, aci());
        assertExit(0, fetch);
        Path host = Files.createDirectories(work.resolve("host-data"));
        Files.writeString(host.resolve("file"), "from-the-volume\n");
        Path manifest = work.resolve("pod.json");
        Files.writeString(manifest, "{\"acKind\":\"PodManifest\",\"acVersion\":\"0.8.11\",\"apps\":[{\"name\":"
                + "\"reader\",\"image\":{\"name\":\"example.com/busybox\",\"labels\":[{\"name\":\"version\","
                + "\"value\":\"1.0\"}]},\"app\":{\"exec\":[\"/bin/sh\",\"-c\",\"cat /data/file; echo $GREETING\"],"
                + "\"user\":\"0\",\"group\":\"0\",\"environment\":[{\"name\":\"GREETING\",\"value\":\"hi\"}]},"
                + "\"mounts\":[{\"volume\":\"data\",\"path\":\"/data\"}]}],\"volumes\":[{\"name\":\"data\","
                + "\"kind\":\"host\",\"source\":\"" + host + "\"}]}");
        for (List<String> engine : MOUNTING_ENGINES) {
            BosunResult run = run(engine, "--pod-manifest=" + manifest);
            assertExit(0, run);
            assertLine("from-the-volume", run);
            assertLine("hi", run);
        }
        BosunResult prepare = bosun("prepare", INSECURE, NSPAWN, "--pod-manifest", manifest.toString());
        String uuid = uuidIn(prepare);
        JsonNode pod = JSON.readTree(bosun("cat-manifest", uuid).stdout);
        assertEquals(pod.toString(), "reader", pod.path("apps").get(0).path("name").asText());

        BosunResult conflict = run(List.of(NSPAWN), "--pod-manifest=" + manifest, "--volume=x,kind=empty", aci());
        assertExit(125, conflict);
        assertOneClearLine(conflict);
        assertContains("the line names the flags", "--pod-manifest cannot be combined with images, --volume", conflict);
    }

    private static List<String> listing(Path dir) throws Exception {
        try (var files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** A refused run leaves no pod; the pods that ran are exited ones only. */
    private void assertNoPodsBut() throws Exception {
        for (JsonNode pod : list()) {
            assertEquals(pod.toString(), "exited", pod.path("state").asText());
        }
    }
}
