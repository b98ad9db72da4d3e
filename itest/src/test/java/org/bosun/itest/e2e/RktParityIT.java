package org.bosun.itest.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.junit.ClassRule;
import org.junit.Test;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Issue 13: the command-line habits an rkt user brings, typed as rkt's documentation writes them:
 * stop of an exited pod, {@code status --wait UUID}, {@code list --full} and rkt's JSON field
 * names, {@code gc --mark-only}, {@code run-prepared}'s network flags, user annotations and labels,
 * {@code --pretty-print=false}, app flags before the image, commands run without root, and the
 * completion and man pages the distribution ships.
 */
public class RktParityIT extends E2eCase {
    @ClassRule
    public static final BosunFixture FIXTURE = new BosunFixture();

    static final String NSPAWN = "--stage1-name=nspawn";

    public RktParityIT(Mode mode) {
        super(FIXTURE, mode);
    }

    private String runExitedFlyPod() throws Exception {
        Path uuidFile = work.resolve("pod.uuid");
        BosunResult run = bosun("run", INSECURE, FLY, "--uuid-file-save=" + uuidFile, aci(), "--exec", "/bin/true");
        assertExit(0, run);
        return Files.readString(uuidFile).trim();
    }

    @Test
    public void stopOfAnExitedPodSucceedsQuietly() throws Exception {
        String uuid = runExitedFlyPod();
        BosunResult stop = bosun("stop", uuid);
        assertExit(0, stop);
        assertEquals(stop.describe(), "pod " + uuid + " is already stopped\n", stop.stdout);
        assertEquals(stop.describe(), "", stop.stderr);
        // A pod that never ran is still not something stop can end.
        BosunResult prepared = bosun("prepare", INSECURE, FLY, aci());
        String preparedUuid = uuidIn(prepared);
        BosunResult refused = bosun("stop", preparedUuid);
        assertExit(5, refused);
        assertOneClearLine(refused);
    }

    @Test
    public void statusWaitFollowedByTheUuidWaitsForThatPod() throws Exception {
        Path uuidFile = work.resolve("pod.uuid");
        BosunProcess run = startBosun("run", INSECURE, FLY, "--uuid-file-save=" + uuidFile, aci(), "--exec", "/bin/sh",
                "--", "-c", "echo ready; sleep 3");
        run.closeStdin();
        assertEquals("the app started:\n" + run.snapshot(), "ready", run.nextLine(CALL_TIMEOUT));
        String uuid = Files.readString(uuidFile).trim();

        BosunResult ready = bosun("status", "--wait-ready", uuid);
        assertExit(0, ready);
        assertTrue(ready.describe(), ready.stdoutLines().contains("state=running")
                || ready.stdoutLines().contains("state=exited"));

        BosunResult waited = bosun("status", "--wait", uuid);
        assertExit(0, waited);
        assertLine("state=exited", waited);
        assertLine("exited=true", waited);
        assertExit(0, run.await(Duration.ofSeconds(10)));

        BosunResult attached = bosun("status", "--wait=10s", uuid, "--wait-ready=false");
        assertExit(0, attached);
        assertLine("exited=true", attached);
    }

    @Test
    public void listFullShowsImageIdsAndJsonCarriesRktsFieldNames() throws Exception {
        BosunResult run = bosun("run", INSECURE, NSPAWN, "--net=default", "--user-annotation=team=db",
                "--user-label=tier=web", aci(), "--exec", "/bin/true");
        assertExit(0, run);
        JsonNode pod = list().get(0);
        String imageId = pod.path("apps").get(0).path("image_id").asText();
        assertTrue(pod.toString(), imageId.startsWith("sha512-"));

        BosunResult full = bosun("list", "--full");
        assertExit(0, full);
        List<String> header = List.of(full.stdoutLines().get(0).split("\\s{2,}"));
        assertEquals(full.describe(), List.of("UUID", "APP", "IMAGE NAME", "IMAGE ID", "STATE", "CREATED", "STARTED",
                "NETWORKS"), header);
        assertTrue(full.describe(), full.stdoutLines().get(1).contains(imageId));
        BosunResult brief = bosun("list");
        assertFalse(brief.describe(), brief.stdout.contains("IMAGE ID"));

        JsonNode net = pod.path("networks").get(0);
        assertEquals(pod.toString(), "default", net.path("netName").asText());
        assertEquals(pod.toString(), "default", net.path("name").asText());
        assertTrue(pod.toString(), net.path("ip").asText().matches("\\d+\\.\\d+\\.\\d+\\.\\d+"));
        assertEquals(pod.toString(), net.path("address").asText().replaceFirst("/.*", ""), net.path("ip").asText());
        assertEquals(pod.toString(), "db", pod.path("user_annotations").path("team").asText());
        assertEquals(pod.toString(), "web", pod.path("user_labels").path("tier").asText());

        BosunResult images = bosun("image", "list", "--format=json");
        assertExit(0, images);
        JsonNode image = JSON.readTree(images.stdout).get(0);
        assertEquals(images.describe(), imageId, image.path("id").asText());
        long importTime = image.path("import_time").asLong();
        long now = System.currentTimeMillis() * 1_000_000L;
        assertTrue("import_time is in nanoseconds since the epoch, as rkt's: " + image,
                importTime > now - 3_600_000_000_000L && importTime <= now);
        assertTrue(image.toString(), image.path("last_used_time").asLong() >= importTime);
        assertTrue(image.toString(), image.has("importTime"));
    }

    @Test
    public void gcMarkOnlyMovesPodsToGarbageAndDeletesNothing() throws Exception {
        String exited = runExitedFlyPod();
        String prepared = uuidIn(bosun("prepare", INSECURE, FLY, aci()));
        BosunResult mark = bosun("gc", "--mark-only", "--grace-period=0s", "--expire-prepared=0s");
        assertExit(0, mark);
        assertLine("Moving pod \"" + exited + "\" to garbage", mark);
        assertLine("Moving pod \"" + prepared + "\" to garbage", mark);
        assertNoLineStartingWith("Garbage collecting", mark);
        assertTrue(E2e.podDirs(data).toString(), E2e.podDirs(data).contains("exited-garbage/" + exited));
        assertTrue(E2e.podDirs(data).toString(), E2e.podDirs(data).contains("garbage/" + prepared));
        BosunResult again = bosun("gc", "--mark-only=true", "--grace-period=0s");
        assertExit(0, again);
        assertEquals(again.describe(), 2, E2e.podDirs(data).size());

        BosunResult collect = bosun("gc", "--grace-period=0s");
        assertExit(0, collect);
        assertLine("Garbage collecting pod \"" + exited + "\"", collect);
        assertLine("Garbage collecting pod \"" + prepared + "\"", collect);
        assertNoPods();
    }

    @Test
    public void runPreparedSetsThePodsNetworkDnsAndHostname() throws Exception {
        BosunResult prepare = bosun("prepare", INSECURE, NSPAWN, aci(), "--exec", "/bin/sh", "--", "-c",
                "hostname; cat /etc/resolv.conf; ip -o link | grep -c eth0 || true");
        String uuid = uuidIn(prepare);
        JsonNode prepared = JSON.readTree(bosun("status", "--format=json", uuid).stdout);
        assertEquals("prepared on the default network: " + prepared, "default",
                prepared.path("networks").get(0).path("netName").asText());

        BosunResult run = bosun("run-prepared", "--net=none", "--hostname=web.example.test", "--dns=192.0.2.53",
                "--dns-search=example.test", uuid);
        assertExit(0, run);
        assertLine("web.example.test", run);
        assertLine("nameserver 192.0.2.53", run);
        assertLine("search example.test", run);
        assertLine("0", run);
        JsonNode ran = JSON.readTree(bosun("status", "--format=json", uuid).stdout);
        assertEquals("--net=none left no network: " + ran, 0, ran.path("networks").size());

        // fly runs on the host's network only: asked for another, run-prepared refuses and the pod stays runnable.
        String fly = uuidIn(bosun("prepare", INSECURE, FLY, aci(), "--exec", "/bin/true"));
        BosunResult refused = bosun("run-prepared", "--net=default", fly);
        assertExit(125, refused);
        assertOneClearLine(refused);
        assertContains("the refusal names the network", "--net=host", refused);
        assertExit(0, bosun("run-prepared", "--net=host", fly));
    }

    @Test
    public void userAnnotationsAndLabelsAreInTheManifestAndPrettyPrintCanBeOff() throws Exception {
        // Before the image: the pod's (as rkt's app sandbox); after it: the app's (as rkt's run).
        String uuid = uuidIn(bosun("prepare", INSECURE, FLY, "--user-annotation=team=db", "--user-annotation=owner=me",
                "--user-label=tier=web", aci(), "--user-annotation=role=main", "--user-label=stage=test"));
        BosunResult manifest = bosun("cat-manifest", "--pretty-print=false", uuid);
        assertExit(0, manifest);
        assertEquals("one line:\n" + manifest.describe(), 1, manifest.stdoutLines().size());
        JsonNode json = JSON.readTree(manifest.stdout);
        assertEquals(json.toString(), "db", json.path("userAnnotations").path("team").asText());
        assertEquals(json.toString(), "me", json.path("userAnnotations").path("owner").asText());
        assertEquals(json.toString(), "web", json.path("userLabels").path("tier").asText());
        JsonNode app = json.path("apps").get(0).path("app");
        assertEquals(json.toString(), "main", app.path("userAnnotations").path("role").asText());
        assertEquals(json.toString(), "test", app.path("userLabels").path("stage").asText());
        BosunResult pretty = bosun("cat-manifest", uuid);
        assertTrue(pretty.describe(), pretty.stdoutLines().size() > 10);
        JsonNode status = JSON.readTree(bosun("status", "--format=json", uuid).stdout);
        assertEquals(status.toString(), "db", status.path("user_annotations").path("team").asText());
        assertEquals(status.toString(), "web", status.path("user_labels").path("tier").asText());
        assertEquals(status.toString(), "main", status.path("apps").get(0).path("user_annotations").path("role").asText());
        assertEquals(status.toString(), "test", status.path("apps").get(0).path("user_labels").path("stage").asText());

        String imageId = JSON.readTree(manifest.stdout).path("apps").get(0).path("image").path("id").asText();
        BosunResult image = bosun("image", "cat-manifest", "--pretty-print=false", imageId);
        assertExit(0, image);
        assertEquals("one line:\n" + image.describe(), 1, image.stdoutLines().size());
        assertEquals(image.describe(), "ImageManifest", JSON.readTree(image.stdout).path("acKind").asText());
    }

    @Test
    public void anAppFlagBeforeTheImageSaysWhereItBelongs() throws Exception {
        BosunResult run = bosun("run", INSECURE, FLY, "--exec", "/bin/true", aci());
        assertExit(125, run);
        assertOneClearLine(run);
        assertContains("the line says where app flags go", "--exec is an app flag: put it after the image it applies to",
                run);
        BosunResult prepare = bosun("prepare", INSECURE, FLY, "--caps-retain=CAP_NET_BIND_SERVICE", aci());
        assertExit(4, prepare);
        assertOneClearLine(prepare);
        assertContains("the line says where app flags go", "--caps-retain is an app flag", prepare);
        assertNoPods();
    }

    /**
     * As rkt's rule: fetch, image list, trust --list, version and help work for a user who is not
     * root (here nobody, in a group made for the test that may write the data directory), and a
     * command that needs root says so in one line.
     */
    @Test
    public void aUserWhoIsNotRootFetchesAndListsImagesAndIsToldWhatNeedsRoot() throws Exception {
        String group = "bosun-e2e-" + UUID.randomUUID().toString().substring(0, 8);
        TestImages.exec(work, "groupadd", group);
        try {
            String gid = TestImages.output(work, "getent", "group", group).split(":")[2];
            Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.createDirectories(data);
            TestImages.exec(work, "chgrp", group, data.toString());
            TestImages.exec(work, "chmod", "2775", data.toString());
            Path cache = Files.createDirectories(work.resolve("nobody-cache"));
            TestImages.exec(work, "chown", "nobody", cache.toString());
            Path image = Files.copy(Path.of(aci()), work.resolve("busybox.aci"));
            Files.setPosixFilePermissions(image, PosixFilePermissions.fromString("rw-r--r--"));

            BosunResult version = asNobody(gid, cache, "version");
            assertExit(0, version);
            BosunResult help = asNobody(gid, cache, "help");
            assertExit(0, help);
            String helpText = help.stdout.replaceAll("\\s+", " ");
            assertTrue("help says which commands need root:\n" + help.describe(),
                    helpText.contains("Needs root: run, prepare, run-prepared, enter, stop, rm, gc, export, agent, trust"));
            assertTrue("help lists the exit codes:\n" + help.describe(),
                    helpText.contains("2 not found, 3 already exists, 4 invalid argument, 5 wrong state, 6 unavailable"));
            assertExit(0, asNobody(gid, cache, "trust", "--list"));
            BosunResult fetch = asNobody(gid, cache, "fetch", INSECURE, image.toString());
            assertExit(0, fetch);
            assertTrue(fetch.describe(), fetch.stdout.startsWith("sha512-"));
            BosunResult images = asNobody(gid, cache, "image", "list", "--no-legend");
            assertExit(0, images);
            assertTrue(images.describe(), images.stdout.contains("example.com/busybox"));

            BosunResult run = asNobody(gid, cache, "run", INSECURE, FLY, image.toString());
            assertExit(125, run);
            assertOneClearLine(run);
            assertContains("run says it needs root", "bosun run: needs root", run);
            BosunResult gc = asNobody(gid, cache, "gc");
            assertExit(5, gc);
            assertOneClearLine(gc);
            assertContains("gc says it needs root", "bosun gc: needs root", gc);

            // Root reads what the user fetched.
            BosunResult asRoot = bosun("image", "list", "--no-legend");
            assertExit(0, asRoot);
            assertTrue(asRoot.describe(), asRoot.stdout.contains("example.com/busybox"));
        } finally {
            TestImages.exec(work, "groupdel", group);
        }
    }

    /** {@code bosun --dir DATA args} as nobody with the test's group, in this test's mode. */
    private BosunResult asNobody(String gid, Path cache, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("setpriv", "--reuid=nobody", "--regid=nogroup", "--groups=" + gid,
                "env", "-u", "BOSUN_CACHE_DIR", "HOME=/nonexistent", "XDG_CACHE_HOME=" + cache));
        command.addAll(bosunArgs(args));
        return call(mode, work, null, command);
    }

    @Test
    public void theDistributionShipsCompletionAndManPagesOfEveryCommand() throws Exception {
        Path share = fixture.dist.resolve("share");
        Path completion = share.resolve("bash-completion/completions/bosun");
        assertTrue(completion + " is shipped", Files.isRegularFile(completion));
        String offered = TestImages.output(work, "bash", "-c", "source \"$1\"; COMP_WORDS=(bosun gc --mark);"
                + " COMP_CWORD=2; COMP_LINE='bosun gc --mark'; COMP_POINT=${#COMP_LINE}; _complete_bosun 2>/dev/null;"
                + " printf '%s\\n' \"${COMPREPLY[@]}\"", "bash", completion.toString());
        assertEquals("--mark-only", offered.strip());
        String page = TestImages.output(work, "env", "MANPAGER=cat", "LC_ALL=C", "MANWIDTH=200", "man", "-l",
                share.resolve("man/man1/bosun-run-prepared.1").toString());
        assertTrue(page, page.contains("BOSUN-RUN-PREPARED(1)") && page.contains("--net="));
        assertTrue(Files.isRegularFile(share.resolve("man/man1/bosun-image-cat-manifest.1")));
    }
}
