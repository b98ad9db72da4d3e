package org.bosun.cli;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.bosun.api.BosunException;
import org.bosun.api.net.NetworkAttachment;
import org.bosun.api.pod.PodInfo;
import org.bosun.api.pod.PodState;
import org.bosun.command.protocol.Invocation;
import org.junit.Test;

import com.fasterxml.jackson.databind.JsonNode;

import picocli.CommandLine;

/** rkt's flags and field names as an rkt user types and reads them (issue 13). */
public class RktFlagsTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private Session session(int uid) {
        return new Session(new Invocation(List.of(), Map.of(), "/work", uid, uid, false, 0),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                null, null, null);
    }

    private StatusCommand status(String... args) {
        return (StatusCommand) RootCommand.commandLine(session(0)).parseArgs(args).subcommand().commandSpec().userObject();
    }

    @Test
    public void statusWaitFollowedByAPodWaitsForThatPod() {
        StatusCommand status = status("status", "--wait", "4d2c1f00");
        assertEquals("true", status.wait);
        assertEquals(List.of("4d2c1f00"), status.uuid);
        status = status("status", "--wait-ready", "4d2c1f00");
        assertEquals("true", status.waitReady);
        assertEquals(List.of("4d2c1f00"), status.uuid);
    }

    @Test
    public void statusWaitTakesAnAttachedDurationOrNone() {
        StatusCommand status = status("status", "--wait=10s", "4d2c1f00");
        assertEquals("10s", status.wait);
        assertEquals(List.of("4d2c1f00"), status.uuid);
        status = status("status", "4d2c1f00", "--wait");
        assertEquals("true", status.wait);
        status = status("status", "--wait-ready=false", "--wait", "4d2c1f00");
        assertEquals("false", status.waitReady);
        assertEquals("true", status.wait);
        assertEquals(List.of("4d2c1f00"), status.uuid);
    }

    @Test
    public void waitValuesMeanWhatRktMeant() {
        assertEquals(Duration.ZERO, StatusCommand.waitLimit("true", "--wait"));
        assertEquals(Duration.ZERO, StatusCommand.waitLimit("-1s", "--wait"));
        assertNull(StatusCommand.waitLimit("false", "--wait"));
        assertNull(StatusCommand.waitLimit("0", "--wait"));
        assertEquals(Duration.ofSeconds(90), StatusCommand.waitLimit("1m30s", "--wait"));
    }

    @Test
    public void anAppFlagBeforeTheImageSaysWhereItGoes() {
        int code = RootCommand.commandLine(session(0)).execute("run", "--exec", "/bin/true", "example.com/img");
        assertEquals(RootCommand.LAUNCH_FAILURE, code);
        assertEquals("bosun run: --exec is an app flag: put it after the image it applies to; see 'bosun run --help'\n",
                err.toString(StandardCharsets.UTF_8));
        err.reset();
        code = RootCommand.commandLine(session(0)).execute("prepare", "--memory=1G", "example.com/img");
        assertEquals(4, code);
        assertEquals("bosun prepare: --memory is an app flag: put it after the image it applies to;"
                + " see 'bosun prepare --help'\n", err.toString(StandardCharsets.UTF_8));
    }

    @Test
    public void aFlagOfBothPodAndAppIsTakenAsThePodsBeforeTheImage() {
        RunCommand run = (RunCommand) RootCommand.commandLine(session(0))
                .parseArgs("run", "--set-env=A=1", "example.com/img", "--exec=/bin/true").subcommand().commandSpec()
                .userObject();
        assertEquals(List.of("A=1"), run.pod.setEnv);
        assertEquals(List.of("example.com/img", "--exec=/bin/true"), run.pod.images);
    }

    @Test
    public void setEnvFileTakesBlankLinesAndCommentsAsRktDid() throws Exception {
        Path file = java.nio.file.Files.createTempFile("bosun-env", ".txt");
        try {
            java.nio.file.Files.writeString(file, "# a comment\n\n   \n; another comment\nA=1\n  ;indented\nB=x=y\n");
            assertEquals(Map.of("A", "1", "B", "x=y"),
                    PodFlagParser.environment(List.of(file.toString()), List.of(), session(0)));
        } finally {
            java.nio.file.Files.delete(file);
        }
    }

    @Test
    public void aMountBeforeTheFirstImageIsEveryAppsUnlessTheAppMountsTheSameTarget() {
        Session session = session(0);
        RunCommand run = (RunCommand) RootCommand.commandLine(session).parseArgs("run", "--volume=data,kind=empty",
                "--mount", "volume=data,target=/data", "a.aci", "b.aci", "--mount=volume=data,target=data/",
                "c.aci", "--mount=volume=data,target=/srv").subcommand().commandSpec().userObject();
        List<org.bosun.api.pod.AppRequest> apps = AppArgumentGroups.parse(run.pod.images, run.pod.mounts, session);
        org.bosun.api.pod.AppSettings.MountRequest pod = new org.bosun.api.pod.AppSettings.MountRequest("data", "/data");
        assertEquals(List.of(pod), apps.get(0).settings().mounts());
        assertEquals(List.of(new org.bosun.api.pod.AppSettings.MountRequest("data", "data/")),
                apps.get(1).settings().mounts());
        assertEquals(List.of(pod, new org.bosun.api.pod.AppSettings.MountRequest("data", "/srv")),
                apps.get(2).settings().mounts());
    }

    private static final String POD_MANIFEST = "{\"acKind\":\"PodManifest\",\"acVersion\":\"0.8.11\",\"apps\":["
            + "{\"name\":\"web\",\"image\":{\"name\":\"example.com/busybox\",\"labels\":[{\"name\":\"version\","
            + "\"value\":\"1.0\"}]},\"app\":{\"exec\":[\"/bin/sh\",\"-c\",\"cat /data/x\"],\"user\":\"0\","
            + "\"group\":\"0\",\"environment\":[{\"name\":\"A\",\"value\":\"1\"}]},"
            + "\"mounts\":[{\"volume\":\"data\",\"path\":\"/data\"}],\"readOnlyRootFS\":true},"
            + "{\"name\":\"db\",\"image\":{\"id\":\"sha512-abcd\"}}],"
            + "\"volumes\":[{\"name\":\"data\",\"kind\":\"empty\",\"mode\":\"0700\"}],"
            + "\"annotations\":[{\"name\":\"team\",\"value\":\"db\"}]}";

    @Test
    public void aPodManifestGivesTheAppsVolumesAndAnnotationsAndRefusesTheFlagsItReplacesByName() throws Exception {
        Path file = java.nio.file.Files.createTempFile("bosun-pod", ".json");
        try {
            java.nio.file.Files.writeString(file, POD_MANIFEST);
            Session session = session(0);
            PrepareCommand prepare = (PrepareCommand) RootCommand.commandLine(session).parseArgs("prepare",
                    "--pod-manifest=" + file, "--net=none").subcommand().commandSpec().userObject();
            org.bosun.api.pod.PrepareRequest request = prepare.pod.request(session);
            assertEquals(2, request.apps().size());
            org.bosun.api.pod.AppRequest web = request.apps().get(0);
            assertEquals("example.com/busybox,version=1.0", web.image());
            assertEquals("web", web.name());
            assertEquals(List.of("/bin/sh", "-c", "cat /data/x"), web.exec());
            assertEquals(Map.of("A", "1"), web.environment());
            assertEquals(List.of(new org.bosun.api.pod.AppSettings.MountRequest("data", "/data")),
                    web.settings().mounts());
            assertTrue(web.settings().readonlyRootfs());
            assertEquals("sha512-abcd", request.apps().get(1).image());
            assertEquals("data", request.options().volumes().get(0).name());
            assertEquals("0700", request.options().volumes().get(0).mode());
            assertEquals(Map.of("team", "db"), request.annotations());

            Session other = session(0);
            PrepareCommand conflicting = (PrepareCommand) RootCommand.commandLine(other).parseArgs("prepare",
                    "--pod-manifest=" + file, "--volume=x,kind=empty", "--set-env=A=2", "example.com/img").subcommand()
                    .commandSpec().userObject();
            BosunException conflict = org.junit.Assert.assertThrows(BosunException.class,
                    () -> conflicting.pod.request(other));
            assertEquals("--pod-manifest cannot be combined with images, --volume, --set-env: the pod manifest says"
                    + " what they would; put it in the manifest, or leave out --pod-manifest", conflict.getMessage());

            java.nio.file.Files.writeString(file, POD_MANIFEST.replace("\"readOnlyRootFS\":true",
                    "\"readOnlyRootFS\":true,\"stdin\":true"));
            BosunException e = org.junit.Assert.assertThrows(BosunException.class, () -> prepare.pod.request(session));
            assertEquals("--pod-manifest " + file + " app web: has the field 'stdin', which bosun does not take from a"
                    + " pod manifest; give it on the command line instead", e.getMessage());
        } finally {
            java.nio.file.Files.delete(file);
        }
    }

    @Test
    public void runPreparedGcAndCatManifestTakeRktsFlags() {
        CommandLine cli = RootCommand.commandLine(session(0));
        RunPreparedCommand runPrepared = (RunPreparedCommand) cli.parseArgs("run-prepared", "--net=none",
                "--dns=8.8.8.8", "--dns-search=example.com", "--hostname=web", "--interactive", "4d2c1f00")
                .subcommand().commandSpec().userObject();
        assertEquals(List.of("none"), runPrepared.network.networks);
        assertEquals("web", runPrepared.network.hostname);
        assertEquals(Boolean.TRUE, runPrepared.interactive);
        assertEquals("explicit", runPrepared.network.dns().mode());
        assertEquals(List.of("4d2c1f00"), runPrepared.uuid);
        GcCommand gc = (GcCommand) cli.parseArgs("gc", "--mark-only").subcommand().commandSpec().userObject();
        assertTrue(gc.markOnly);
        CatManifestCommand cat = (CatManifestCommand) cli.parseArgs("cat-manifest", "--pretty-print=false", "4d2c1f00")
                .subcommand().commandSpec().userObject();
        assertFalse(cat.pretty);
        assertEquals(List.of("4d2c1f00"), cat.uuid);
        cat = (CatManifestCommand) cli.parseArgs("cat-manifest", "4d2c1f00").subcommand().commandSpec().userObject();
        assertTrue(cat.pretty);
        // image cat-manifest lives in the cli's image package: its --pretty-print field, read through picocli's model
        boolean imagePretty = cli.parseArgs("image", "cat-manifest", "--pretty-print=false", "sha512-0").subcommand()
                .subcommand().commandSpec().findOption("--pretty-print").getValue();
        assertFalse(imagePretty);
        RunCommand run = (RunCommand) cli.parseArgs("run", "--user-annotation=team=db", "--user-label=tier=web",
                "example.com/img").subcommand().commandSpec().userObject();
        assertEquals(List.of("team=db"), run.pod.userAnnotations);
        assertEquals(List.of("tier=web"), run.pod.userLabels);
    }

    @Test
    public void podJsonCarriesRktsFieldNamesBesideBosuns() {
        PodInfo pod = new PodInfo("4d2c1f00-0000-4000-8000-000000000000", PodState.RUNNING, List.of(), Instant.EPOCH,
                null, 0, null, Map.of(), Path.of("/var/lib/bosun/pods/run/x"),
                List.of(new NetworkAttachment("default", "eth0", "172.16.28.7/24", "172.16.28.1")), null,
                Map.of("team", "db"), Map.of("tier", "web"));
        JsonNode json = PodJson.pod(pod);
        JsonNode net = json.path("networks").get(0);
        assertEquals("default", net.path("netName").asText());
        assertEquals("eth0", net.path("ifName").asText());
        assertEquals("172.16.28.7", net.path("ip").asText());
        assertEquals("255.255.255.0", net.path("mask").asText());
        assertEquals("default", net.path("name").asText());
        assertEquals("172.16.28.7/24", net.path("address").asText());
        assertEquals("db", json.path("user_annotations").path("team").asText());
        assertEquals("web", json.path("user_labels").path("tier").asText());
        assertEquals("ffff:ffff:ffff:ffff:0:0:0:0", PodJson.mask("fd00::2/64"));
    }

    @Test
    public void aCommandThatNeedsRootSaysSoToAnyOtherUser() {
        CommandLine cli = RootCommand.commandLine(session(1000));
        assertEquals(RootCommand.LAUNCH_FAILURE, cli.execute("run", "example.com/img"));
        assertEquals("bosun run: needs root (uid 0), and this is uid 1000; run it as root, e.g. with sudo\n",
                err.toString(StandardCharsets.UTF_8));
        err.reset();
        assertEquals(5, RootCommand.commandLine(session(1000)).execute("gc", "--mark-only"));
        assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("bosun gc: needs root"));
        for (String[] free : List.of(new String[] {"trust", "--list"}, new String[] {"image", "list"},
                new String[] {"fetch", "example.com/img"}, new String[] {"version"}, new String[] {"help"})) {
            PrivilegedCommands.check(RootCommand.commandLine(session(1000)).parseArgs(free), 1000);
        }
        try {
            PrivilegedCommands.check(RootCommand.commandLine(session(1000)).parseArgs("trust", "--root", "k.asc"), 1000);
            throw new AssertionError("trust without --list needs root");
        } catch (BosunException expected) {
            assertTrue(expected.getMessage().startsWith("needs root"));
        }
        for (String name : PrivilegedCommands.NAMES) {
            assertTrue(name + " in bosun help", PrivilegedCommands.HELP.contains(" " + name));
        }
    }

    @Test
    public void aFileTheUserMayNotTouchIsNamedInOneLine() {
        Exception e = new IllegalStateException(new java.nio.file.AccessDeniedException("/var/lib/bosun/cas/index.lck"));
        assertEquals("permission denied on /var/lib/bosun/cas/index.lck for uid 1000; run it as root, or as a user the"
                + " data directory's group lets in", PrivilegedCommands.permissionDenied(e, 1000));
        assertNull(PrivilegedCommands.permissionDenied(e, 0));
        assertNull(PrivilegedCommands.permissionDenied(new IllegalStateException("x"), 1000));
    }
}
