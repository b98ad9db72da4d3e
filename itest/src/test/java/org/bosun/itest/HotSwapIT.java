package org.bosun.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.bosun.api.RuntimePaths;
import org.bosun.api.pod.PodInfo;
import org.bosun.api.pod.PodService;
import org.bosun.api.pod.PodState;
import org.bosun.api.stage1.Stage1Engine;
import org.bosun.api.stage1.Stage1EngineService;
import org.bosun.command.protocol.CommandService;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.Version;

/**
 * DESIGN.md §1 and §3: a stage1 engine bundle (fly, nspawn, oci) can be updated while pods it started
 * run, and the new version stops and collects them. The pod
 * is started by the real {@code bosun} launcher of the distribution, which hands {@code run} to
 * the agent running in this framework and execs the plan it gets back, so the pod is the
 * launcher's own process (a child of this test).
 */
public class HotSwapIT extends PlatformCase {

    private Process launcher;

    /** Before the temporary directory goes (PlatformCase): the pod runs from it. */
    @After
    public void killThePod() throws Exception {
        if (launcher != null && launcher.isAlive()) {
            launcher.descendants().forEach(ProcessHandle::destroyForcibly);
            launcher.destroyForcibly();
            launcher.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    public void updatingTheFlyBundleLeavesARunningPodRunning() throws Exception {
        updateTheEngineUnderARunningPod("fly", "org.bosun.stage1.fly");
    }

    @Test
    public void updatingTheNspawnBundleLeavesARunningPodRunning() throws Exception {
        updateTheEngineUnderARunningPod("nspawn", "org.bosun.stage1.nspawn", "--net=none");
    }

    @Test
    public void updatingTheOciBundleLeavesARunningPodRunning() throws Exception {
        updateTheEngineUnderARunningPod("oci", "org.bosun.stage1.oci", "--net=none", "--stage1-option=runtime=crun");
    }

    /**
     * Starts a pod on {@code engine}, updates the engine's bundle to the next version while the pod
     * runs, then lets the new version stop and gc it.
     */
    private void updateTheEngineUnderARunningPod(String engineName, String bsn, String... podFlags) throws Exception {
        String filter = "(" + Stage1EngineService.NAME + "=" + engineName + ")";
        Path socket = Path.of(context.getProperty(Platform.AGENT_SOCKET));
        Path data = tmp.resolve("data");
        RuntimePaths paths = new RuntimePaths(data, tmp.resolve("etc"), tmp.resolve("lib"));
        Path aci = Platform.buildBusyboxAci(tmp, "example.com/itest");

        ServiceReference<CommandService> cliRef = Platform.awaitService(context, CommandService.class, null, 30);
        CommandService cli = context.getService(cliRef);
        ServiceReference<PodService> podsRef = Platform.awaitService(context, PodService.class, null, 30);
        PodService pods = context.getService(podsRef);
        ServiceReference<Stage1Engine> oldEngine = Platform.awaitService(context, Stage1Engine.class, filter, 30);
        Bundle engineBundle = oldEngine.getBundle();
        assertEquals(bsn, engineBundle.getSymbolicName());
        Version oldVersion = engineBundle.getVersion();
        try {
            // The agent answers on its socket with the command protocol, as the launcher will use it.
            assertTrue("the agent listens on " + socket, Platform.eventually(30_000, () -> Files.exists(socket)));
            Platform.Run viaAgent = AgentSocketClient.call(socket, tmp, "--dir", data.toString(), "list", "--format=json");
            assertEquals("bosun list through the agent socket: " + viaAgent, 0, viaAgent.exitCode());
            assertTrue("empty list through the agent: " + viaAgent, viaAgent.stdout().strip().matches("\\[\\s*\\]"));

            // 1. bosun run, by the real launcher, through the agent: the child process becomes the pod.
            List<String> run = new ArrayList<>(List.of("--dir", data.toString(), "--insecure-options=image", "run",
                    "--stage1-name=" + engineName));
            run.addAll(List.of(podFlags));
            run.addAll(List.of(aci.toString(), "--exec", "/bin/busybox", "--", "sleep", "300"));
            launcher = startLauncher(socket, run.toArray(String[]::new));
            PodInfo pod = awaitRunningPod(pods, paths);
            assertEquals("the pod is the launcher's process: bosun run execs the plan", launcher.pid(), pod.pid());
            assertEquals(List.of("/bin/busybox", "sleep", "300"), pod.apps().get(0).exec());
            assertEquals(oldVersion.toString(), pod.stage1().bundleVersion());
            assertFalse("the launcher used the agent and booted no framework of its own",
                    Files.exists(tmp.resolve("felix-cache")));
            // The pid file is written just before the exec: give the engine a moment to start the app.
            assertTrue("the app runs in the pod's process tree (the launcher's own process and its descendants)",
                    Platform.eventually(60_000, () -> java.util.stream.Stream.concat(
                            java.util.stream.Stream.of(launcher.toHandle()), launcher.descendants())
                            .anyMatch(h -> h.info().commandLine().orElse("").contains("sleep 300"))));

            // 2. Update the engine's bundle to a newer version while the pod runs.
            Version newVersion = new Version(oldVersion.getMajor(), oldVersion.getMinor(), oldVersion.getMicro() + 1,
                    "hotswap");
            engineBundle.update(new ByteArrayInputStream(BundleUpdates.withVersion(engineBundle, newVersion)));
            BundleUpdates.refresh(context, engineBundle);
            assertEquals(newVersion, engineBundle.getVersion());
            ServiceReference<Stage1Engine> newEngine = awaitEngineOfVersion(filter, bsn, newVersion);
            assertNotEquals("a new service replaced the old one", oldEngine.getProperty(Constants.SERVICE_ID),
                    newEngine.getProperty(Constants.SERVICE_ID));
            assertNull("the old engine service is gone", oldEngine.getBundle());

            // 3. The pod did not notice.
            assertTrue("the pod's process survived the update: " + launcherOutput(), launcher.isAlive());
            PodInfo after = pods.status(paths, pod.uuid());
            assertEquals(PodState.RUNNING, after.state());
            assertEquals(pod.pid(), after.pid());
            assertEquals("the pod still records the engine version that prepared it", oldVersion.toString(),
                    after.stage1().bundleVersion());

            // 4. The new engine stops it (bosun stop) and gc collects it.
            Platform.Run stop = Platform.bosun(cli, tmp, "--dir", data.toString(), "stop", pod.uuid());
            assertEquals("bosun stop: " + stop, 0, stop.exitCode());
            assertTrue("the pod's process ends after bosun stop", launcher.waitFor(30, TimeUnit.SECONDS));
            assertTrue("the pod is exited: " + pods.list(paths), Platform.eventually(10_000,
                    () -> pods.list(paths).stream().allMatch(p -> p.state() == PodState.EXITED)));
            Platform.Run gc = Platform.bosun(cli, tmp, "--dir", data.toString(), "gc", "--grace-period=0s");
            assertEquals("bosun gc --grace-period=0s: " + gc, 0, gc.exitCode());
            assertEquals(List.of(), pods.list(paths));
            assertFalse(pod.directory() + " is gone", Files.exists(pod.directory()));
            assertEquals("nothing is left under pods/*/", List.of(), Platform.podDirectories(data));
        } catch (AssertionError | RuntimeException e) {
            String output = launcherOutput();
            if (output.isEmpty()) {
                throw e;
            }
            throw new AssertionError(e.getMessage() + "\n" + output, e);
        } finally {
            context.ungetService(cliRef);
            context.ungetService(podsRef);
        }
    }

    /**
     * Issue 14: an app added to a sandbox by one version of the oci engine bundle is stopped and
     * removed by the next. The sandbox is started by the real launcher through the agent and runs on
     * detached; the app operations are this framework's commands. The image holds /bin/busybox only.
     */
    @Test
    public void anAppAddedByTheOciBundleIsStoppedAndRemovedByItsNextVersion() throws Exception {
        String bsn = "org.bosun.stage1.oci";
        String filter = "(" + Stage1EngineService.NAME + "=oci)";
        Path socket = Path.of(context.getProperty(Platform.AGENT_SOCKET));
        Path data = tmp.resolve("data");
        Path uuidFile = tmp.resolve("sandbox.uuid");
        Path aci = Platform.buildBusyboxAci(tmp, "example.com/itest");
        ServiceReference<CommandService> cliRef = Platform.awaitService(context, CommandService.class, null, 30);
        CommandService cli = context.getService(cliRef);
        ServiceReference<Stage1Engine> oldEngine = Platform.awaitService(context, Stage1Engine.class, filter, 30);
        Bundle engineBundle = oldEngine.getBundle();
        Version oldVersion = engineBundle.getVersion();
        String uuid = null;
        try {
            assertTrue("the agent listens on " + socket, Platform.eventually(30_000, () -> Files.exists(socket)));
            launcher = startLauncher(socket, "--dir", data.toString(), "app", "sandbox", "--stage1-name=oci",
                    "--net=none", "--uuid-file-save=" + uuidFile);
            assertTrue("bosun app sandbox returns: " + launcherOutput(), launcher.waitFor(60, TimeUnit.SECONDS));
            assertEquals("bosun app sandbox: " + launcherOutput(), 0, launcher.exitValue());
            uuid = Files.readString(uuidFile).trim();
            Platform.Run add = Platform.bosun(cli, tmp, "--dir", data.toString(), "--insecure-options=image", "app", "add",
                    uuid, aci.toString(), "--name=old", "--exec=/bin/busybox", "--", "sh", "-c",
                    "trap 'exit 7' TERM; while :; do /bin/busybox sleep 0.1; done");
            assertEquals("app add: " + add, 0, add.exitCode());
            Platform.Run start = Platform.bosun(cli, tmp, "--dir", data.toString(), "app", "start", uuid, "--app=old");
            assertEquals("app start: " + start, 0, start.exitCode());

            Version newVersion = new Version(oldVersion.getMajor(), oldVersion.getMinor(), oldVersion.getMicro() + 1,
                    "hotswap");
            engineBundle.update(new ByteArrayInputStream(BundleUpdates.withVersion(engineBundle, newVersion)));
            BundleUpdates.refresh(context, engineBundle);
            awaitEngineOfVersion(filter, bsn, newVersion);

            Platform.Run running = Platform.bosun(cli, tmp, "--dir", data.toString(), "app", "status", uuid, "--app=old");
            assertTrue("the app runs on after the update: " + running, running.stdout().contains("state=running\n"));
            Platform.Run stop = Platform.bosun(cli, tmp, "--dir", data.toString(), "app", "stop", uuid, "--app=old",
                    "--timeout=10");
            assertEquals("the new version stops the app: " + stop, 0, stop.exitCode());
            Platform.Run stopped = Platform.bosun(cli, tmp, "--dir", data.toString(), "app", "status", uuid, "--app=old");
            assertTrue("its own exit code on SIGTERM: " + stopped, stopped.stdout().contains("exit_code=7\n"));
            Platform.Run rm = Platform.bosun(cli, tmp, "--dir", data.toString(), "app", "rm", uuid, "--app=old");
            assertEquals("the new version removes the app: " + rm, 0, rm.exitCode());
            Platform.Run list = Platform.bosun(cli, tmp, "--dir", data.toString(), "app", "list", uuid,
                    "--format=json");
            assertTrue("no app is left: " + list, list.stdout().strip().matches("\\[\\s*\\]"));
            // and the sandbox's supervisor, started by the old version, still takes requests of the new one
            Platform.Run again = Platform.bosun(cli, tmp, "--dir", data.toString(), "--insecure-options=image", "app",
                    "add", uuid, aci.toString(), "--name=new", "--exec=/bin/busybox", "--", "true");
            assertEquals("app add after the update: " + again, 0, again.exitCode());
            Platform.Run startNew = Platform.bosun(cli, tmp, "--dir", data.toString(), "app", "start", uuid, "--app=new");
            assertEquals("app start after the update: " + startNew, 0, startNew.exitCode());
        } finally {
            if (uuid != null) {
                Platform.Run stop = Platform.bosun(cli, tmp, "--dir", data.toString(), "stop", uuid);
                PodService pods = context.getService(Platform.awaitService(context, PodService.class, null, 30));
                RuntimePaths paths = new RuntimePaths(data, tmp.resolve("etc"), tmp.resolve("lib"));
                boolean exited = Platform.eventually(30_000,
                        () -> pods.list(paths).stream().allMatch(p -> p.state() == PodState.EXITED));
                Platform.Run gc = Platform.bosun(cli, tmp, "--dir", data.toString(), "gc", "--grace-period=0s");
                assertEquals("bosun stop: " + stop, 0, stop.exitCode());
                assertTrue("the sandbox ends after bosun stop: " + pods.list(paths), exited);
                assertEquals("bosun gc: " + gc, 0, gc.exitCode());
                assertEquals("nothing is left under pods/*/", List.of(), Platform.podDirectories(data));
            }
            context.ungetService(cliRef);
        }
    }

    /** Starts {@code bin/bosun ARGS} of the distribution with the test's agent socket. */
    private Process startLauncher(Path socket, String... args) throws IOException {
        Path dist = Path.of(System.getProperty("bosun.dist", "../launcher/target/bosun")).toAbsolutePath().normalize();
        Path bosun = dist.resolve("bin/bosun");
        if (!Files.isExecutable(bosun)) {
            fail(bosun + " does not exist: build the launcher module (mvn -pl launcher install) first");
        }
        List<String> command = new ArrayList<>();
        command.add(bosun.toString());
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(tmp.toFile())
                .redirectOutput(tmp.resolve("launcher.out").toFile())
                .redirectError(tmp.resolve("launcher.err").toFile());
        Map<String, String> env = pb.environment();
        env.put("BOSUN_AGENT", "connect"); // this test's agent only: never start another on its socket
        env.remove("BOSUN_JAVA_OPTS");
        env.put("BOSUN_AGENT_SOCKET", socket.toString());
        env.put("BOSUN_JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // Only used if the launcher booted a framework itself, which it must not: checked above.
        env.put("BOSUN_CACHE_DIR", tmp.resolve("felix-cache").toString());
        return pb.start();
    }

    private PodInfo awaitRunningPod(PodService pods, RuntimePaths paths) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            List<PodInfo> list = pods.list(paths);
            for (PodInfo p : list) {
                if (p.state() == PodState.RUNNING && p.pid() > 0) {
                    assertEquals("one pod: " + list, 1, list.size());
                    return p;
                }
            }
            if (!launcher.isAlive()) {
                fail("bosun run exited with " + launcher.exitValue() + " before its pod ran; pods: " + list);
            }
            Thread.sleep(100);
        }
        fail("no pod was running 60 s after bosun run; pods: " + pods.list(paths));
        return null;
    }

    private ServiceReference<Stage1Engine> awaitEngineOfVersion(String filter, String bsn, Version version)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            for (ServiceReference<Stage1Engine> ref : context.getServiceReferences(Stage1Engine.class, filter)) {
                Bundle b = ref.getBundle();
                if (b != null && bsn.equals(b.getSymbolicName()) && version.equals(b.getVersion())) {
                    // Make sure it is usable, not only registered.
                    Stage1Engine engine = context.getService(ref);
                    try {
                        assertNotNull("the updated engine " + bsn + " can be obtained", engine);
                        assertTrue(engine.capabilities().maxApps() >= 1);
                    } finally {
                        context.ungetService(ref);
                    }
                    return ref;
                }
            }
            Thread.sleep(100);
        }
        fail("no " + filter + " Stage1Engine of " + bsn + " " + version + " within 30 s after the update");
        return null;
    }

    /** What bosun run printed before it became the pod (the pod itself, busybox sleep, prints nothing). */
    private String launcherOutput() {
        if (tmp == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder();
        for (String name : List.of("launcher.out", "launcher.err")) {
            Path file = tmp.resolve(name);
            try {
                if (Files.exists(file) && Files.size(file) > 0) {
                    sb.append("--- bosun run ").append(name.substring(name.indexOf('.') + 1)).append('\n')
                            .append(Files.readString(file));
                }
            } catch (IOException e) {
                sb.append("(cannot read ").append(file).append(": ").append(e).append(")\n");
            }
        }
        return sb.toString();
    }
}
