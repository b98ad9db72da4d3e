package org.bosun.console;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

import org.bosun.api.RuntimePaths;
import org.bosun.api.bundle.BundleRecord;
import org.bosun.api.provider.ProviderStatus;
import org.bosun.api.event.BosunEvent;
import org.bosun.api.event.EventType;
import org.bosun.api.image.ImageGcReport;
import org.bosun.api.image.ImageManifest;
import org.bosun.api.image.StoredImage;
import org.bosun.api.net.NetworkAttachment;
import org.bosun.api.pod.AppInfo;
import org.bosun.api.pod.AppState;
import org.bosun.api.pod.EngineRecord;
import org.bosun.api.pod.GcReport;
import org.bosun.api.pod.PodInfo;
import org.bosun.api.pod.PodState;
import org.junit.Test;

/** What the Pods and Images pages render: every name escaped, the CLI's figures, the actions a state allows. */
public class PagesTest {
    static final String EVIL = "<script>alert('x')</script>\"&";
    static final String EVIL_ESCAPED = "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&quot;&amp;";
    static final Instant NOW = Instant.parse("2026-12-07T12:00:00Z");
    static final RuntimePaths PATHS = new RuntimePaths(Path.of("/var/lib/<bosun>"), Path.of("/etc/bosun"),
            Path.of("/usr/lib/bosun"));
    static final String ID = "sha512-" + "ab".repeat(64);

    static String page(Consumer<PrintWriter> render) {
        StringWriter s = new StringWriter();
        try (PrintWriter out = new PrintWriter(s)) {
            render.accept(out);
        }
        return s.toString();
    }

    static StoredImage image(String id, String name, String version, Instant imported, Instant used, long size) {
        ImageManifest manifest = new ImageManifest(name, version == null ? Map.of() : Map.of("version", version),
                List.of("/bin/sh"), "0", "0", "/", Map.of(), Map.of(), List.of(), List.of(), Map.of(), List.of());
        return new StoredImage(id, name, "appc", List.of(), manifest, List.of(id), List.of(), Map.of(), imported, used, size);
    }

    static PodInfo pod(String uuid, PodState state, String app) {
        return new PodInfo(uuid, state, List.of(new AppInfo(app, "example.com/" + app, ID, List.of("/bin/sh"), null,
                AppState.RUNNING, null, null, null)), NOW.minusSeconds(90), null, 0, new EngineRecord("fly", "1.1.0", 1),
                Map.of(), Path.of("/tmp"), List.of(new NetworkAttachment(EVIL, "eth0", "10.0.0.2", null, null)),
                Set.of(), Map.of(), Map.of());
    }

    @Test
    public void anImagesNameAndVersionAreEscapedEverywhere() {
        String html = page(out -> ImagesPlugin.render(out, "/system/console/bosun-images", PATHS,
                List.of(image(ID, "example.com/" + EVIL, EVIL, NOW.minusSeconds(120), null, 5 * 1024 * 1024 + 300)),
                "tok", NOW));
        assertFalse(html, html.contains("<script>"));
        assertFalse(html, html.contains("'x'"));
        assertTrue(html, html.contains("<td class='name'>example.com/" + EVIL_ESCAPED + ":" + EVIL_ESCAPED + "</td>"));
        assertTrue(html, html.contains("1 images in /var/lib/&lt;bosun&gt;"));
    }

    @Test
    public void anImageRowHasTheCliFiguresAndARemoveForm() {
        String html = page(out -> ImagesPlugin.render(out, "/c/bosun-images", PATHS,
                List.of(image(ID, "example.com/app", "1.0", NOW.minusSeconds(120), null, 5 * 1024 * 1024 + 300)),
                "tok", NOW));
        assertTrue(html, html.contains("<tr data-id='" + ID + "'><td class='id' title='" + ID + "'>sha512-"
                + "ab".repeat(16) + "</td><td class='name'>example.com/app:1.0</td><td class='size' title='5243180 bytes'>"
                + "5.0 MiB</td><td class='imported' title='2026-12-07T11:58:00Z'>2 minutes ago</td>"
                + "<td class='used'>never</td><td>appc</td>"));
        assertTrue(html, html.contains("<form method='post' action='/c/bosun-images' style='display:inline'>"
                + "<input type='hidden' name='bosun-token' value='tok'><input type='hidden' name='action' value='rm'>"
                + "<input type='hidden' name='id' value='" + ID + "'>"));
        assertTrue(html, html.contains("value='gc'"));
    }

    @Test
    public void imagesAreListedOldestFirstAsTheCliSortsThem() {
        String newer = "sha256:" + "cd".repeat(32);
        String html = page(out -> ImagesPlugin.render(out, "/c", PATHS, List.of(
                image(newer, "example.com/new", null, NOW.minusSeconds(10), NOW, 1),
                image(ID, "example.com/old", null, NOW.minusSeconds(100000), null, 2048)), "tok", NOW));
        assertTrue(html, html.indexOf("example.com/old") < html.indexOf("example.com/new"));
        assertTrue(html, html.contains("<td class='id' title='" + newer + "'>sha256:" + "cd".repeat(16) + "</td>"));
        assertTrue(html, html.contains("1 day ago"));
        assertTrue(html, html.contains(">1 B<"));
        assertTrue(html, html.contains(">2.0 KiB<"));
        assertTrue(html, html.contains("<td class='used'>0 seconds ago</td>"));
    }

    @Test
    public void anImageShowsTheKeyThatSignedItOrNotVerified() {
        String fingerprint = "0123456789ABCDEF0123456789ABCDEF01234567";
        StoredImage plain = image(ID, "example.com/app", "1.0", NOW, null, 1);
        StoredImage signed = new StoredImage("sha256:" + "cd".repeat(32), "example.com/signed", "docker", List.of(),
                plain.manifest(), List.of(), List.of(), Map.of(StoredImage.SIGNED_BY, fingerprint), NOW, null, 1);
        StoredImage oldAppc = new StoredImage("sha512-" + "ef".repeat(64), "example.com/old", "appc", List.of(),
                plain.manifest(), List.of(), List.of(), Map.of("signer", fingerprint), NOW, null, 1);
        String html = page(out -> ImagesPlugin.render(out, "/c", PATHS, List.of(plain, signed, oldAppc), "tok", NOW));
        assertTrue(html, html.contains("<th>Signed by</th>"));
        assertTrue(html, html.contains("<td class='signer'>not verified</td>"));
        assertEquals(html, 2, html.split("<td class='signer' title='" + fingerprint + "'>89ABCDEF01234567</td>", -1).length - 1);
        assertEquals("89ABCDEF01234567", ImagesPlugin.shortKey("0123 4567 89AB CDEF 0123  4567 89AB CDEF 0123 4567"));
    }

    @Test
    public void theFetchFormAsksForAReferenceAndInsecureOptionsWithTheToken() {
        String html = page(out -> ImagesPlugin.fetchForm(out, "/c/bosun-images", "tok"));
        assertTrue(html, html.contains("<form method='post' action='/c/bosun-images' id='bosun-fetch-form'><input"
                + " type='hidden' name='bosun-token' value='tok'><input type='hidden' name='action' value='fetch'>"));
        assertTrue(html, html.contains("<input type='text' name='image' id='bosun-fetch-image'"));
        assertTrue(html, html.contains("<input type='text' name='insecure' id='bosun-fetch-insecure'"));
        assertFalse(page(out -> ImagesPlugin.fetchForm(out, "/c/" + EVIL, EVIL)).contains("<script>"));
    }

    @Test
    public void aRunningFetchHasABarPerTaskAndTheScriptThatReadsIt() throws Exception {
        FetchJobs jobs = new FetchJobs();
        java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        FetchJobs.Job job = jobs.start(EVIL, progress -> {
            progress.task("layer " + EVIL, 2048).advance(512);
            progress.task("config", -1);
            started.countDown();
            try {
                release.await(10, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return "fetched";
        });
        try {
            started.await(10, java.util.concurrent.TimeUnit.SECONDS);
            String html = page(out -> ImagesPlugin.fetches(out, "/c/bosun-images", jobs.list()));
            assertFalse(html, html.contains("<script>alert"));
            assertTrue(html, html.contains("<tr data-fetch='" + job.id + "' data-state='running'><td class='image'>"
                    + EVIL_ESCAPED + "</td><td class='state'>running</td>"));
            assertTrue(html, html.contains("<div>layer " + EVIL_ESCAPED + " <progress class='bosun-fetch-bar' title='layer "
                    + EVIL_ESCAPED + "' max='2048' value='512'></progress></div>"));
            assertTrue("a task of unknown size is an indeterminate bar: " + html, html.contains(
                    "<div>config <progress class='bosun-fetch-bar' title='config'></progress></div>"));
            assertTrue(html, html.contains("'/c/bosun-images', busy = false;") || html.contains("\"/c/bosun-images\", busy"));
        } finally {
            release.countDown();
        }
        assertEquals("no fetch, no section", "", page(out -> ImagesPlugin.fetches(out, "/c", List.of())));
    }

    @Test
    public void aPathToFetchMustBeAbsoluteForTheConsoleHasNoWorkingDirectory() {
        for (String relative : List.of("busybox.aci", "./busybox.aci", "oci:layout:latest", "oci-archive:x.tar",
                "docker-archive:x.tar", "file://x.aci")) {
            org.bosun.api.BosunException e = org.junit.Assert.assertThrows(relative, org.bosun.api.BosunException.class,
                    () -> ImagesPlugin.reference(relative));
            assertEquals(org.bosun.api.ErrorKind.INVALID_ARGUMENT, e.kind());
            assertTrue(e.getMessage(), e.getMessage().endsWith("is a relative path, and the console has no working"
                    + " directory; give the absolute path on the node"));
        }
        for (String absolute : List.of("/srv/busybox.aci", "oci:/srv/layout:latest", "docker-archive:/srv/x.tar",
                "file:///srv/x.aci", "docker://127.0.0.1:5000/busybox:1", "https://example.com/x.aci",
                "example.com/app:v1")) {
            ImagesPlugin.reference(absolute);
        }
        org.junit.Assert.assertThrows(org.bosun.api.BosunException.class, () -> ImagesPlugin.reference(" "));
    }

    @Test
    public void aPodsPageShowsItsVolumesAndItsManifestPrettyAndEscaped() {
        String manifest = "{\"acVersion\":\"0.8.11\",\"acKind\":\"PodManifest\",\"apps\":[],\"volumes\":["
                + "{\"name\":\"data\",\"kind\":\"host\",\"source\":\"/srv/" + EVIL.replace("\"", "\\\"") + "\",\"readOnly\":true},"
                + "{\"name\":\"scratch\",\"kind\":\"empty\"}]}";
        String html = page(out -> PodsPlugin.manifest(out, manifest));
        assertFalse(html, html.contains("<script>"));
        assertTrue(html, html.contains("<tr><td class='name'>data</td><td class='kind'>host</td><td class='source'>/srv/"
                + EVIL_ESCAPED + "</td><td class='readonly'>yes</td></tr>"));
        assertTrue(html, html.contains("<tr><td class='name'>scratch</td><td class='kind'>empty</td><td class='source'>"
                + "</td><td class='readonly'>no</td></tr>"));
        assertTrue(html, html.contains("<pre id='bosun-manifest' style='white-space:pre-wrap;word-break:break-all'>{\n"
                + "  &quot;acVersion&quot; : &quot;0.8.11&quot;,"));
        String none = page(out -> PodsPlugin.manifest(out, null));
        assertTrue(none, none.contains("<p class='statline' id='bosun-volumes-none'>none</p>"));
        assertTrue(none, none.contains(">none yet</pre>"));
    }

    @Test
    public void theImageGcSummaryIsTheClis() {
        assertEquals("removed 1 images, 2 trees, 3 blobs, 0 leftovers; freed 1.5 KiB",
                ImagesPlugin.gcSummary(new ImageGcReport(List.of(ID), 2, 3, 0, 1536)));
    }

    @Test
    public void aPodsAppAndNetworkNamesAreEscapedInTheListAndOnItsPage() {
        String uuid = "0d3f1c8e-0000-4000-8000-000000000001";
        String list = page(out -> PodsPlugin.list(out, "/c/bosun-pods", PATHS,
                List.of(pod(uuid, PodState.RUNNING, EVIL)), "tok", NOW));
        assertFalse(list, list.contains("<script>"));
        assertTrue(list, list.contains("<td>" + EVIL_ESCAPED + "</td><td>" + EVIL_ESCAPED + " 10.0.0.2</td><td>1m</td>"));
        assertTrue(list, list.contains("value='gc'"));
        String detail = page(out -> PodsPlugin.detail(out, "/c/bosun-pods", pod(uuid, PodState.RUNNING, EVIL), "tok"));
        assertFalse(detail, detail.contains("<script>"));
        assertTrue(detail, detail.contains("<td>" + EVIL_ESCAPED + "</td><td>example.com/" + EVIL_ESCAPED + "</td>"));
    }

    @Test
    public void aRunningPodCanBeStoppedAnExitedOneRemoved() {
        String uuid = "0d3f1c8e-0000-4000-8000-000000000002";
        String running = page(out -> PodsPlugin.detail(out, "/c/bosun-pods", pod(uuid, PodState.RUNNING, "a"), "tok"));
        assertTrue(running, running.contains("id='bosun-stop'"));
        assertTrue(running, running.contains("id='bosun-force-stop'"));
        assertFalse(running, running.contains("id='bosun-rm'"));
        assertTrue(running, running.contains("action='/c/bosun-pods/" + uuid + "'"));
        String exited = page(out -> PodsPlugin.detail(out, "/c/bosun-pods", pod(uuid, PodState.EXITED, "a"), "tok"));
        assertTrue(exited, exited.contains("id='bosun-rm'"));
        assertFalse(exited, exited.contains("id='bosun-stop'"));
        String preparing = page(out -> PodsPlugin.detail(out, "/c/bosun-pods", pod(uuid, PodState.PREPARING, "a"), "tok"));
        assertFalse(preparing, preparing.contains("<form"));
    }

    @Test
    public void thePodGcSummarySaysWhatWasCollected() {
        assertEquals("gc: nothing to collect", PodsPlugin.gcSummary(new GcReport(List.of(), List.of(), List.of())));
        assertEquals("moving pod a to garbage; garbage collecting pod b; pod c: busy",
                PodsPlugin.gcSummary(new GcReport(List.of("a"), List.of("b"), List.of("pod c: busy"))));
    }

    @Test
    public void aMessageIsEscapedAndAnErrorStyledAsOne() {
        String html = page(out -> Html.message(out, EVIL, true));
        assertEquals("<p class='statline ui-state-error' id='bosun-message'>" + EVIL_ESCAPED + "</p>\n", html);
        assertEquals("", page(out -> Html.message(out, null, false)));
    }

    @Test
    public void eventsAreShownNewestFirstAsTheCliDescribesThemAndEscaped() {
        String uuid = "0d3f1c8e-0000-4000-8000-000000000003";
        BosunEvent started = new BosunEvent(EventType.APP_EXITED, NOW.minusSeconds(30), "/d", uuid, EVIL, ID,
                Map.of("exit_code", "3", "image_name", "example.com/" + EVIL));
        BosunEvent removed = new BosunEvent(EventType.IMAGE_REMOVED, NOW.minusSeconds(5), "/d", null, null, ID,
                Map.of("image_name", "example.com/app"));
        BosunEvent bundle = new BosunEvent(EventType.BUNDLE_UPDATED, NOW.minusSeconds(1), null, null, null, null,
                Map.of("bundle", "org.bosun.fly", "bundle_version", "1.1.0"));
        String html = page(out -> EventsPlugin.render(out, PATHS, List.of(started, removed, bundle), NOW));
        assertFalse(html, html.contains("<script>alert"));
        assertTrue(html, html.contains("<td class='kind'>app</td><td class='status'>exited</td><td class='subject' style='word-break:break-all'>" + uuid
                + "</td><td class='details' style='word-break:break-all'>app=" + EVIL_ESCAPED + ", image=" + ID + ", exit_code=3, image_name=example.com/"
                + EVIL_ESCAPED + "</td>"));
        assertTrue(html, html.contains("<td class='subject' style='word-break:break-all'>" + ID + "</td><td class='details' style='word-break:break-all'>image_name=example.com/app</td>"));
        assertTrue(html, html.contains("<td class='subject' style='word-break:break-all'>org.bosun.fly</td><td class='details' style='word-break:break-all'>bundle_version=1.1.0</td>"));
        assertTrue(html, html.indexOf("org.bosun.fly") < html.indexOf("image_name=example.com/app"));
        assertTrue(html, html.indexOf("image_name=example.com/app") < html.indexOf("exit_code=3"));
        assertTrue(html, html.contains("3 events of the last hour in /var/lib/&lt;bosun&gt; (newest first), read at "
                + "2026-12-07T12:00:00Z"));
    }

    @Test
    public void atMostTheLastFiveHundredEventsAreShown() {
        List<BosunEvent> many = new java.util.ArrayList<>();
        for (int i = 0; i < EventsPlugin.MAX + 20; i++) {
            many.add(new BosunEvent(EventType.POD_STARTED, NOW.minusSeconds(1000 - i), "/d", "pod-" + i, null, null, Map.of()));
        }
        String html = page(out -> EventsPlugin.render(out, PATHS, many, NOW));
        assertTrue(html, html.contains("500 events of the last hour in /var/lib/&lt;bosun&gt; (newest first, the last 500)"));
        assertTrue(html, html.contains(">pod-519<"));
        assertTrue(html, html.contains(">pod-20<"));
        assertFalse(html, html.contains(">pod-19<"));
    }

    @Test
    public void aPodsLogLinesAreTextOnItsPageAndInTheJsonItsScriptReads() {
        String uuid = "0d3f1c8e-0000-4000-8000-000000000004";
        Map<String, List<String>> apps = new java.util.LinkedHashMap<>();
        apps.put(EVIL, List.of("line one", EVIL + " \u2028 </script>"));
        apps.put("b", List.of());
        PodsPlugin.Logs logs = new PodsPlugin.Logs(null, apps, NOW);
        String html = page(out -> PodsPlugin.logs(out, "/c/bosun-pods", uuid, logs));
        assertFalse(html, html.contains("<script>alert"));
        assertFalse(html, html.contains("'x'"));
        assertTrue(html, html.contains("<h3>" + EVIL_ESCAPED + "</h3><pre class='bosun-log' id='bosun-log-0' data-app='"
                + EVIL_ESCAPED + "' style='white-space:pre-wrap;word-break:break-all'>line one\n" + EVIL_ESCAPED
                + " \u2028 &lt;/script&gt;</pre>"));
        assertTrue(html, html.contains("id='bosun-log-1' data-app='b' style='white-space:pre-wrap;word-break:break-all'></pre>"));
        assertTrue(html, html.contains("the last 50 lines of each app, read at 2026-12-07T12:00:00Z (live)"));
        assertTrue(html, html.contains("url = \"/c/bosun-pods/" + uuid + "/log.json\";"));
        assertTrue(html, html.contains("}, 2000); })();</script>"));
        String json = PodsPlugin.json(logs);
        assertEquals("{\"read\":\"2026-12-07T12:00:00Z\",\"none\":null,\"apps\":[{\"app\":"
                + "\"\\u003cscript\\u003ealert('x')\\u003c/script\\u003e\\\"\\u0026\",\"lines\":[\"line one\","
                + "\"\\u003cscript\\u003ealert('x')\\u003c/script\\u003e\\\"\\u0026 \\u2028 \\u003c/script\\u003e\"]},"
                + "{\"app\":\"b\",\"lines\":[]}]}", json);
    }

    @Test
    public void aPodWhoseEngineKeepsNoOutputSaysSo() {
        PodsPlugin.Logs none = new PodsPlugin.Logs("no output kept: <fly>", Map.of(), NOW);
        String html = page(out -> PodsPlugin.logs(out, "/c/bosun-pods", "u", none));
        assertTrue(html, html.contains("<p class='statline' id='bosun-logs-status'>no output kept: &lt;fly&gt;</p>"));
        assertFalse(html, html.contains("<pre"));
        assertTrue(PodsPlugin.json(none), PodsPlugin.json(none).contains("\"none\":\"no output kept: \\u003cfly\\u003e\""));
    }

    @Test
    public void theLastLinesOfEachAppAreReadAcrossItsRotatedFiles() throws Exception {
        Path dir = java.nio.file.Files.createTempDirectory("console-logs");
        try {
            Path a = java.nio.file.Files.createDirectories(dir.resolve("apps/a"));
            StringBuilder older = new StringBuilder();
            for (int i = 1; i <= 30; i++) {
                older.append("old ").append(i).append('\n');
            }
            java.nio.file.Files.writeString(a.resolve("log.1"), older);
            StringBuilder current = new StringBuilder();
            for (int i = 1; i <= 30; i++) {
                current.append("new ").append(i).append('\n');
            }
            java.nio.file.Files.writeString(a.resolve("log"), current + "unended");
            PodInfo pod = new PodInfo("u", PodState.RUNNING, List.of(
                    new AppInfo("a", "example.com/a", ID, List.of("/bin/sh"), null, AppState.RUNNING, null, null, null),
                    new AppInfo("quiet", "example.com/q", ID, List.of("/bin/sh"), null, AppState.RUNNING, null, null, null)),
                    NOW, null, 0, new EngineRecord("nspawn", "1.1.0", 1), Map.of(), dir, List.of(), Set.of(), Map.of(), Map.of());
            Map<String, List<String>> lines = PodsPlugin.lastLines(pod);
            assertEquals(List.of("a", "quiet"), List.copyOf(lines.keySet()));
            assertEquals(PodsPlugin.LOG_LINES, lines.get("a").size());
            assertEquals("old 11", lines.get("a").get(0));
            assertEquals("new 30", lines.get("a").get(PodsPlugin.LOG_LINES - 1));
            assertEquals(List.of(), lines.get("quiet"));
        } finally {
            try (var walk = java.nio.file.Files.walk(dir)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    public void jsonStringsEscapeWhatCouldEndAStringOrAScript() {
        assertEquals("\"a\\\"b\\\\c\\nd\\u0009\\u001b\\u003c\\u003e\\u0026\\u2028é\"", Html.json("a\"b\\c\nd\t\u001b<>&\u2028é"));
    }

    @Test
    public void theNetworksPageListsEachProvidersNetworksEscapedAndSaysWhichCannotList() {
        String html = page(out -> NetworksPlugin.render(out, List.of(
                new NetworksPlugin.Listed("cni", List.of(
                        new org.bosun.api.net.NetworkDefinition("default", "built-in", List.of("ptp", "portmap")),
                        new org.bosun.api.net.NetworkDefinition(EVIL, "/etc/bosun/net.d/" + EVIL, List.of(EVIL))), null),
                new NetworksPlugin.Listed("other", List.of(), "network provider x does not list its networks"))));
        assertFalse(html, html.contains("<script>"));
        assertTrue(html, html.contains("<tr data-network='default'><td class='name'>default</td><td class='source'>built-in"
                + "</td><td class='types'>ptp, portmap</td><td>cni</td></tr>"));
        assertTrue(html, html.contains("<td class='name'>" + EVIL_ESCAPED + "</td><td class='source'>/etc/bosun/net.d/"
                + EVIL_ESCAPED + "</td>"));
        assertTrue(html, html.contains("<p class='statline ui-state-error'>other: network provider x does not list its networks</p>"));
    }

    static final java.util.function.Function<String, ProviderStatus> ACTIVE_ENGINE = name -> new ProviderStatus(
            org.bosun.api.provider.ProviderKind.ENGINE, name, "org.bosun.stage1." + name, "1.99.0", 1,
            ProviderStatus.State.ACTIVE, null);

    @Test
    public void aProvidersRowHasItsBundleVersionAbiStateAndTheRollbackOfAnUpdate() {
        List<ProviderStatus> all = List.of(ACTIVE_ENGINE.apply("fly"),
                new ProviderStatus(org.bosun.api.provider.ProviderKind.ENGINE, "nspawn", "org.bosun.stage1.nspawn",
                        "1.1.0", 1, ProviderStatus.State.INACTIVE, "systemd-nspawn is not installed"),
                new ProviderStatus(org.bosun.api.provider.ProviderKind.SECURITY_MODULE, "selinux",
                        "org.bosun.security.selinux", "1.1.0", null, ProviderStatus.State.ACTIVE, null));
        Map<String, BundleRecord> records = Map.of(
                "org.bosun.stage1.fly", new BundleRecord(7L, "org.bosun.stage1.fly", "1.99.0", "active",
                        "updated built-in", null),
                "org.bosun.stage1.nspawn", new BundleRecord(8L, "org.bosun.stage1.nspawn", "1.1.0", "active",
                        "built-in", null));
        String html = page(out -> ProviderBundles.providers(out, "/c/bosun-engines", "tok",
                org.bosun.api.provider.ProviderKind.ENGINE, all, records));
        assertTrue(html, html.contains("<table class='nicetable' id='bosun-engine'>"));
        assertTrue(html, html.contains("<tr data-bundle='org.bosun.stage1.fly'><td class='name'>fly</td>"
                + "<td class='bundle'>org.bosun.stage1.fly</td><td class='version'>1.99.0</td><td>1</td>"
                + "<td class='state'>active</td><td class='origin'>updated built-in</td><td><form method='post'"
                + " action='/c/bosun-engines'"));
        assertTrue(html, html.contains("name='action' value='rollback'><input type='hidden' name='bundle'"
                + " value='org.bosun.stage1.fly'><button type='submit' class='bosun-rollback ui-button'"
                + " id='bosun-rollback-org.bosun.stage1.fly'>Roll back to the built-in</button>"));
        assertTrue("the inactive one says why", html.contains("<td class='state'>inactive: systemd-nspawn is not"
                + " installed</td><td class='origin'>built-in</td><td></td></tr>"));
        assertFalse("another kind's provider is not on this table", html.contains("selinux"));
        assertFalse("a bundle without an update has no Roll back", html.contains("bosun-rollback-org.bosun.stage1.nspawn"));
    }

    @Test
    public void anExtensionWithAPreviousVersionRollsBackToIt() {
        BundleRecord r = new BundleRecord(9L, "com.example.x", "2.0.0", "active", "extension", "1.0.0");
        assertTrue(ProviderBundles.rollback("/c/p", "tok", r).contains(">Roll back to 1.0.0</button>"));
        assertEquals("", ProviderBundles.rollback("/c/p", "tok",
                new BundleRecord(9L, "com.example.x", "1.0.0", "active", "extension", null)));
    }

    @Test
    public void providerAndBundleNamesAreEscapedInTheTableAndItsForms() {
        ProviderStatus evil = new ProviderStatus(org.bosun.api.provider.ProviderKind.ENGINE, EVIL, "com.example." + EVIL,
                EVIL, 1, ProviderStatus.State.INACTIVE, EVIL);
        BundleRecord r = new BundleRecord(9L, "com.example." + EVIL, "2.0.0", "active", "extension", EVIL);
        String html = page(out -> ProviderBundles.providers(out, "/c/" + EVIL, EVIL,
                org.bosun.api.provider.ProviderKind.ENGINE, List.of(evil), Map.of(evil.bundleSymbolicName(), r)));
        html += page(out -> ProviderBundles.updateForm(out, "/c/" + EVIL, EVIL, EVIL));
        assertFalse(html, html.contains("<script>"));
        assertFalse(html, html.contains("'x'"));
        assertTrue(html, html.contains("Roll back to " + EVIL_ESCAPED));
    }

    @Test
    public void theUpdateFormUploadsAJarAndItsSignatureOrAUrlWithTheToken() {
        String html = page(out -> ProviderBundles.updateForm(out, "/c/bosun-security", "tok", "a security module"));
        assertTrue(html, html.contains("<form method='post' action='/c/bosun-security' enctype='multipart/form-data'"
                + " id='bosun-update-form'><input type='hidden' name='bosun-token' value='tok'><input type='hidden'"
                + " name='action' value='update'>"));
        assertTrue(html, html.contains("<input type='file' name='jar'"));
        assertTrue(html, html.contains("<input type='file' name='signature'"));
        assertTrue(html, html.contains("<input type='url' name='url'"));
    }

    @Test
    public void anInstalledExtensionHasUninstallAndBosunsOwnBundlesHaveNot() {
        BundleRecord extension = new BundleRecord(9L, "com.example.bosun.bwrap", "1.0.0", "active", "extension", null);
        assertTrue(ProviderBundles.uninstall("/c/bosun-engines", "tok", extension).contains("name='action'"
                + " value='uninstall'><input type='hidden' name='bundle' value='com.example.bosun.bwrap'><button"
                + " type='submit' class='bosun-uninstall ui-button' id='bosun-uninstall-com.example.bosun.bwrap'>"
                + "Uninstall</button>"));
        for (String origin : List.of("built-in", "updated built-in", "framework")) {
            assertEquals(origin, "", ProviderBundles.uninstall("/c/p", "tok",
                    new BundleRecord(7L, "org.bosun.stage1.fly", "1.1.0", "active", origin, null)));
        }
        assertEquals("", ProviderBundles.uninstall("/c/p", "tok", null));
        String row = page(out -> ProviderBundles.providers(out, "/c/bosun-engines", "tok",
                org.bosun.api.provider.ProviderKind.ENGINE, List.of(new ProviderStatus(
                        org.bosun.api.provider.ProviderKind.ENGINE, "bwrap", "com.example.bosun.bwrap", "1.0.0", 1,
                        ProviderStatus.State.ACTIVE, null)), Map.of("com.example.bosun.bwrap", extension)));
        assertTrue(row, row.contains("id='bosun-uninstall-com.example.bosun.bwrap'"));
        assertFalse("nothing to roll back to", row.contains("bosun-rollback"));
    }

    @Test
    public void theInstallFormUploadsAJarAndItsSignatureOrAUrlWithTheToken() {
        String html = page(out -> ProviderBundles.installForm(out, "/c/bosun-engines", "tok"));
        assertTrue(html, html.contains("<form method='post' action='/c/bosun-engines' enctype='multipart/form-data'"
                + " id='bosun-install-form'><input type='hidden' name='bosun-token' value='tok'><input type='hidden'"
                + " name='action' value='install'>"));
        assertTrue(html, html.contains("<input type='file' name='jar' id='bosun-install-jar'"));
        assertTrue(html, html.contains("<input type='file' name='signature' id='bosun-install-signature'"));
        assertTrue(html, html.contains("<input type='url' name='url' id='bosun-install-url'"));
        String evil = page(out -> ProviderBundles.installForm(out, "/c/" + EVIL, EVIL));
        assertFalse(evil, evil.contains("<script>"));
    }

    @Test
    public void withoutTheBundleServiceAnUninstallIsUnavailable() {
        try {
            ProviderBundles.uninstall(null, PATHS, "com.example.bosun.bwrap");
            throw new AssertionError("uninstalled without a service");
        } catch (org.bosun.api.BosunException e) {
            assertEquals(org.bosun.api.ErrorKind.UNAVAILABLE, e.kind());
            assertTrue(e.getMessage(), e.getMessage().contains("install, update, roll back or uninstall"));
        }
    }

    @Test
    public void anUploadKeepsAPlainFileNameOnly() {
        assertEquals("fly-1.99.jar", ProviderBundles.plainName("C:\\Users\\me\\fly-1.99.jar"));
        assertEquals("fly-1.99.jar", ProviderBundles.plainName("/a/b/fly-1.99.jar"));
        assertEquals("bundle.jar", ProviderBundles.plainName("../.."));
        assertEquals("bundle.jar", ProviderBundles.plainName(".hidden.jar"));
        assertEquals("bundle.jar", ProviderBundles.plainName("a b.jar"));
        assertEquals("bundle.jar", ProviderBundles.plainName("x.jar.asc"));
        assertEquals("bundle.jar", ProviderBundles.plainName(null));
    }

    @Test
    public void aBundleUrlMustBeHttpOrHttps() {
        Path dir = Path.of("/nonexistent");
        for (String url : List.of("file:///etc/passwd", "ftp://example.com/x.jar", "x.jar", "http:///x.jar")) {
            try {
                ProviderBundles.download(url, dir);
                throw new AssertionError(url + " was accepted");
            } catch (org.bosun.api.BosunException e) {
                assertEquals(org.bosun.api.ErrorKind.INVALID_ARGUMENT, e.kind());
                assertTrue(e.getMessage(), e.getMessage().startsWith("bundle URL " + url + " is not an http or https"
                        + " URL"));
            }
        }
    }

    @Test
    public void withoutTheBundleServiceAnUpdateIsUnavailable() {
        try {
            ProviderBundles.rollback(null, PATHS, "org.bosun.stage1.fly");
            throw new AssertionError("rolled back without a service");
        } catch (org.bosun.api.BosunException e) {
            assertEquals(org.bosun.api.ErrorKind.UNAVAILABLE, e.kind());
        }
    }
}
