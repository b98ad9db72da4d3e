package org.bosun.cli;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.List;
import java.util.Map;

import org.bosun.api.BosunException;
import org.bosun.api.ErrorKind;
import org.bosun.api.pod.AppRequest;
import org.junit.Test;

import picocli.CommandLine;

public class AppArgumentGroupsTest {

    private static List<AppRequest> parse(String... words) {
        return AppArgumentGroups.parse(List.of(words), Sessions.inWork());
    }

    private static BosunException refusal(String... words) {
        BosunException e = assertThrows(BosunException.class, () -> parse(words));
        assertEquals(e.getMessage(), ErrorKind.INVALID_ARGUMENT, e.kind());
        return e;
    }

    @Test
    public void splitsTwoAppsAtTripleDash() {
        List<AppRequest> apps = parse("./one.aci", "--exec=/bin/sh", "--", "-c", "x", "---", "./two.aci", "--name=b");
        assertEquals(2, apps.size());
        AppRequest one = apps.get(0);
        assertEquals("/work/one.aci", one.image());
        assertEquals(List.of("/bin/sh"), one.exec());
        assertEquals(List.of("-c", "x"), one.args());
        assertNull(one.name());
        AppRequest two = apps.get(1);
        assertEquals("/work/two.aci", two.image());
        assertEquals("b", two.name());
        assertEquals(List.of(), two.exec());
        assertEquals(List.of(), two.args());
    }

    @Test
    public void makesRelativeImagePathsAbsoluteAgainstTheCallersDirectory() {
        assertEquals("/work/x.aci", parse("x.aci").get(0).image());
        assertEquals("/work/sub/x.aci", parse("./sub/x.aci").get(0).image());
        assertEquals("/images/y.aci", parse("../images/y.aci").get(0).image());
        assertEquals("/abs/z.aci", parse("/abs/z.aci").get(0).image());
        assertEquals("/srv/x.aci", AppArgumentGroups.parse(List.of("x.aci"), Sessions.in("/srv")).get(0).image());
    }

    @Test
    public void leavesOtherReferencesAsTheyAre() {
        assertEquals("docker://busybox:1", parse("docker://busybox:1").get(0).image());
        assertEquals("example.com/app:v1", parse("example.com/app:v1").get(0).image());
    }

    @Test
    public void takesFlagValuesWithOrWithoutEquals() {
        AppRequest app = parse("x.aci", "--exec", "/bin/true", "--user", "1000", "--group=100",
                "--working-dir", "/srv", "--name", "web").get(0);
        assertEquals(List.of("/bin/true"), app.exec());
        assertEquals("1000", app.user());
        assertEquals("100", app.group());
        assertEquals("/srv", app.workingDirectory());
        assertEquals("web", app.name());
    }

    @Test
    public void anAppsEnvironmentIsItsOwn() {
        List<AppRequest> apps = AppArgumentGroups.parse(
                List.of("x.aci", "--environment=B=app", "--environment", "C=c=d", "---", "y.aci"), Sessions.inWork());
        assertEquals(Map.of("B", "app", "C", "c=d"), apps.get(0).environment());
        assertEquals(Map.of(), apps.get(1).environment());
    }

    @Test
    public void localOciAndArchiveReferencesAreMadeAbsolute() {
        assertEquals("oci:/work/layout:latest", parse("oci:layout:latest").get(0).image());
        assertEquals("oci-archive:/work/a.tar", parse("oci-archive:./a.tar").get(0).image());
        assertEquals("docker-archive:/srv/b.tar", parse("docker-archive:/srv/b.tar").get(0).image());
    }

    @Test
    public void appFlagsBecomeTheAppsSettings() {
        AppRequest app = parse("x.aci", "--readonly-rootfs", "--memory=512Mi", "--cpu=250m", "--cpu-shares", "512",
                "--oom-score-adj=-5", "--supplementary-gids=10,20", "--mount", "volume=data,target=/data",
                "--caps-retain=net_bind_service,CAP_CHOWN", "--seccomp=mode=remove,reboot").get(0);
        assertEquals(true, app.settings().readonlyRootfs());
        assertEquals(Long.valueOf(512L * 1024 * 1024), app.settings().resources().memoryBytes());
        assertEquals(Long.valueOf(250), app.settings().resources().cpuMillis());
        assertEquals(Long.valueOf(512), app.settings().resources().cpuShares());
        assertEquals(Integer.valueOf(-5), app.settings().resources().oomScoreAdj());
        assertEquals(List.of(10, 20), app.settings().supplementaryGids());
        assertEquals(List.of(new org.bosun.api.pod.AppSettings.MountRequest("data", "/data")), app.settings().mounts());
        assertEquals(List.of("CAP_NET_BIND_SERVICE", "CAP_CHOWN"), app.settings().capsRetain());
        assertEquals("mode=remove,reboot", app.settings().seccomp());
    }

    private static void assertInvalid(String expectedStart, String... words) {
        String message = refusal(words).getMessage();
        assertTrue(message, message.startsWith(expectedStart));
    }

    @Test
    public void badAppFlagValuesAreRefusedNamingTheImage() {
        assertInvalid("--memory 12X of image x.aci", "x.aci", "--memory=12X");
        assertInvalid("--cpu-shares 1 of image x.aci", "x.aci", "--cpu-shares=1");
        assertInvalid("--mount data of image x.aci", "x.aci", "--mount=data");
        assertInvalid("--oom-score-adj -2000 of image x.aci", "x.aci", "--oom-score-adj=-2000");
    }

    @Test
    public void argumentsAfterDoubleDashMayLookLikeFlags() {
        AppRequest app = parse("x.aci", "--", "--name=not-a-flag", "--", "-x").get(0);
        assertEquals(List.of("--name=not-a-flag", "--", "-x"), app.args());
        assertNull(app.name());
    }

    @Test
    public void refusesAnUnknownAppFlagNamingIt() {
        BosunException e = refusal("x.aci", "--bogus=1");
        assertTrue(e.getMessage(), e.getMessage().contains("--bogus"));
        assertTrue(e.getMessage(), e.getMessage().contains("/work/x.aci") || e.getMessage().contains("x.aci"));
    }

    @Test
    public void refusesADanglingTripleDash() {
        BosunException e = refusal("x.aci", "--exec=/bin/sh", "---");
        assertTrue(e.getMessage(), e.getMessage().contains("---"));
        refusal("x.aci", "--", "a", "---");
    }

    @Test
    public void refusesAFlagWhereAnImageShouldBe() {
        refusal("--exec=/bin/sh", "x.aci");
        refusal("x.aci", "---", "---", "y.aci");
    }

    @Test
    public void refusesAFlagWithoutItsValue() {
        BosunException e = refusal("x.aci", "--exec");
        assertTrue(e.getMessage(), e.getMessage().contains("--exec"));
    }

    @Test
    public void aWordAfterAnAppsFlagsIsTheNextImageAsInRkt() {
        List<AppRequest> apps = parse("x.aci", "y.aci", "--exec", "/bin/echo", "--name=why", "docker://busybox",
                "--", "hi", "---", "z.aci");
        assertEquals(List.of("/work/x.aci", "/work/y.aci", "docker://busybox", "/work/z.aci"),
                apps.stream().map(AppRequest::image).toList());
        assertEquals(List.of(), apps.get(0).exec());
        assertEquals(List.of("/bin/echo"), apps.get(1).exec());
        assertEquals("why", apps.get(1).name());
        assertEquals(List.of("hi"), apps.get(2).args());
        // A flag's value is never taken for an image.
        assertEquals(1, parse("x.aci", "--exec", "y.aci").size());
    }

    @Test
    public void aSignatureFollowsItsImageAndIsMadeAbsolute() {
        List<AppRequest> apps = parse("x.aci", "--signature", "sigs/x.asc", "y.aci", "--signature=/abs/y.asc", "z.aci");
        assertEquals("/work/sigs/x.asc", apps.get(0).signature());
        assertEquals("/abs/y.asc", apps.get(1).signature());
        assertNull(apps.get(2).signature());
    }

    @Test
    public void refusesAStrayDashWordAfterAnImage() {
        BosunException e = refusal("x.aci", "-x");
        assertTrue(e.getMessage(), e.getMessage().contains("'-x'"));
    }

    @Test
    public void refusesAnEnvironmentWithoutEquals() {
        refusal("x.aci", "--environment=NOVALUE");
    }

    @Test
    public void refusesNoImageAtAll() {
        refusal();
    }

    // ---- through the real command line ----

    private static CommandLine.ParseResult parseCommandLine(Session session, String... args) {
        return RootCommand.commandLine(session).parseArgs(args);
    }

    @Test
    public void runPassesTheWholeAppListThroughPicocliUntouched() {
        Session session = Sessions.inWork();
        CommandLine.ParseResult result = parseCommandLine(session, "--dir", "/data", "run", "--set-env=A=1",
                "./img.aci", "--exec=/bin/sh", "--", "-c", "x", "---", "img2.aci", "--name=b");
        RunCommand run = (RunCommand) result.subcommand().commandSpec().userObject();
        assertEquals(List.of("./img.aci", "--exec=/bin/sh", "--", "-c", "x", "---", "img2.aci", "--name=b"),
                run.pod.images);
        List<AppRequest> apps = AppArgumentGroups.parse(run.pod.images, session);
        assertEquals(2, apps.size());
        assertEquals("/work/img.aci", apps.get(0).image());
        assertEquals(List.of("-c", "x"), apps.get(0).args());
        assertEquals(Map.of("A", "1"), run.pod.podOptions(session).environment());
        assertEquals("b", apps.get(1).name());
        assertEquals("/work/img2.aci", apps.get(1).image());
        assertEquals("/data", session.global.dir);
    }

    @Test
    public void prepareKeepsTheAppFlagsOfEveryImage() {
        Session session = Sessions.inWork();
        CommandLine.ParseResult result = parseCommandLine(session, "prepare", "--quiet", "a.aci", "--user=1",
                "---", "b.aci", "--", "--help");
        PrepareCommand prepare = (PrepareCommand) result.subcommand().commandSpec().userObject();
        assertTrue(prepare.quiet);
        assertEquals(List.of("a.aci", "--user=1", "---", "b.aci", "--", "--help"), prepare.pod.images);
    }

    @Test
    public void globalOptionsMayFollowTheCommandName() {
        Session session = Sessions.inWork();
        parseCommandLine(session, "list", "--dir=/other", "--insecure-options=image", "--debug");
        assertEquals("/other", session.global.dir);
        assertTrue(session.global.debug);
        assertEquals(java.util.EnumSet.of(org.bosun.api.InsecureOption.IMAGE), session.global.insecure());
    }

    @Test
    public void relativeDataDirIsResolvedAgainstTheCallersDirectory() {
        Session session = Sessions.inWork();
        parseCommandLine(session, "--dir", "data", "--local-config=conf", "--system-config", "/sys", "list");
        assertEquals(java.nio.file.Path.of("/work/data"), session.paths().dataDir());
        assertEquals(java.nio.file.Path.of("/work/conf"), session.paths().localConfigDir());
        assertEquals(java.nio.file.Path.of("/sys"), session.paths().systemConfigDir());
    }
}
