package org.bosun.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.bosun.api.InsecureOption;
import org.bosun.api.RuntimePaths;
import org.bosun.api.image.ImageFormat;
import org.bosun.api.image.ImageFormatService;
import org.bosun.api.image.Progress;
import org.bosun.api.pod.AppRequest;
import org.bosun.api.pod.GcReport;
import org.bosun.api.pod.PodInfo;
import org.bosun.api.pod.PodService;
import org.bosun.api.pod.PodState;
import org.bosun.api.pod.PrepareRequest;
import org.bosun.api.stage1.Stage1Engine;
import org.bosun.api.stage1.Stage1EngineService;
import org.bosun.command.protocol.CommandService;
import org.junit.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.namespace.PackageNamespace;
import org.osgi.framework.wiring.BundleWiring;
import org.osgi.framework.wiring.FrameworkWiring;

/** The platform as a whole: every bundle resolves and starts, the services find each other, a pod goes round. */
public class PlatformIT extends PlatformCase {

    @Test
    public void everyBundleIsActiveAndTheServicesAreWired() throws Exception {
        Map<String, Bundle> bySymbolicName = new HashMap<>();
        for (Bundle b : context.getBundles()) {
            bySymbolicName.put(b.getSymbolicName(), b);
        }
        List<String> problems = new ArrayList<>();
        for (String bsn : Platform.shippedBundles(context)) {
            Bundle b = bySymbolicName.get(bsn);
            if (b == null) {
                problems.add(bsn + " is not installed");
            } else if (!isStarted(b)) {
                problems.add(bsn + " " + b.getVersion() + " is " + stateName(b.getState()));
            }
        }
        if (!problems.isEmpty()) {
            fail("bundles not started: " + problems);
        }

        assertNotNull(Platform.awaitService(context, PodService.class, null, 30));
        ServiceReference<Stage1Engine> fly = Platform.awaitService(context, Stage1Engine.class,
                "(" + Stage1EngineService.NAME + "=fly)", 30);
        assertEquals("org.bosun.stage1.fly", fly.getBundle().getSymbolicName());
        ServiceReference<Stage1Engine> nspawn = Platform.awaitService(context, Stage1Engine.class,
                "(" + Stage1EngineService.NAME + "=nspawn)", 30);
        assertEquals("org.bosun.stage1.nspawn", nspawn.getBundle().getSymbolicName());
        Platform.awaitService(context, org.bosun.api.net.NetworkProvider.class, "(bosun.net.name=cni)", 30);
        ServiceReference<ImageFormat> appc = Platform.awaitService(context, ImageFormat.class,
                "(" + ImageFormatService.NAME + "=appc)", 30);
        assertEquals("org.bosun.image.appc", appc.getBundle().getSymbolicName());
        ServiceReference<CommandService> cliRef = Platform.awaitService(context, CommandService.class, null, 30);

        CommandService cli = context.getService(cliRef);
        try {
            Path data = tmp.resolve("data");
            Platform.Run run = Platform.bosun(cli, tmp, "--dir", data.toString(), "list", "--format=json");
            assertEquals("bosun list --format=json: " + run, 0, run.exitCode());
            assertEquals("no exec plan for list: " + run, null, run.outcome().plan());
            assertTrue("bosun list --format=json on an empty data directory prints an empty JSON array: " + run,
                    run.stdout().strip().matches("\\[\\s*\\]"));
        } finally {
            context.ungetService(cliRef);
        }

        // The shell bundle's Gogo commands (scope bosun) run through the Gogo runtime.
        ServiceReference<CommandProcessor> gogoRef = Platform.awaitService(context, CommandProcessor.class, null, 30);
        Platform.awaitService(context, Object.class, "(&(osgi.command.scope=bosun)(osgi.command.function=engines))", 30);
        CommandProcessor gogo = context.getService(gogoRef);
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        try (CommandSession session = gogo.createSession(new ByteArrayInputStream(new byte[0]),
                new PrintStream(console, true, StandardCharsets.UTF_8), new PrintStream(console, true, StandardCharsets.UTF_8))) {
            session.execute("bosun:engines");
            String engines = console.toString(StandardCharsets.UTF_8);
            assertTrue("bosun:engines names the fly engine: " + engines,
                    engines.lines().anyMatch(l -> l.startsWith("fly  org.bosun.stage1.fly ")));
            console.reset();
            session.execute("bosun:list --dir " + tmp.resolve("data") + " --format=json");
            assertTrue("bosun:list of an empty data directory is an empty JSON array: " + console,
                    console.toString(StandardCharsets.UTF_8).strip().matches("\\[\\s*\\]"));
        } finally {
            context.ungetService(gogoRef);
        }
    }

    /**
     * The CNI executor's contract is a bundle of its own: refreshing an updated executor refreshes
     * the executor alone, not the networks bundle that uses the contract.
     */
    @Test
    public void refreshingTheCniExecutorRefreshesNoBundleThatUsesItsContract() {
        Map<String, Bundle> bySymbolicName = new HashMap<>();
        for (Bundle b : context.getBundles()) {
            bySymbolicName.put(b.getSymbolicName(), b);
        }
        Bundle executor = bySymbolicName.get("org.bosun.cni.executor");
        Bundle networks = bySymbolicName.get("org.bosun.cni.networks");
        assertNotNull(executor);
        assertNotNull(networks);
        FrameworkWiring framework = context.getBundle(Constants.SYSTEM_BUNDLE_LOCATION).adapt(FrameworkWiring.class);
        assertEquals(List.of("org.bosun.cni.executor"), framework.getDependencyClosure(List.of(executor)).stream()
                .map(Bundle::getSymbolicName).toList());
        List<String> providers = networks.adapt(BundleWiring.class).getRequiredWires(PackageNamespace.PACKAGE_NAMESPACE)
                .stream().filter(w -> "org.bosun.cni.api".equals(w.getCapability().getAttributes()
                        .get(PackageNamespace.PACKAGE_NAMESPACE)))
                .map(w -> w.getProvider().getBundle().getSymbolicName()).toList();
        assertEquals("the networks bundle imports org.bosun.cni.api from", List.of("org.bosun.cni.api"), providers);
    }

    @Test
    public void prepareAndGcAPodThroughThePodService() throws Exception {
        ServiceReference<PodService> ref = Platform.awaitService(context, PodService.class, null, 30);
        PodService pods = context.getService(ref);
        try {
            Path aci = Platform.buildBusyboxAci(tmp, "example.com/itest");
            RuntimePaths paths = new RuntimePaths(tmp.resolve("data"), tmp.resolve("etc"), tmp.resolve("lib"));
            PrepareRequest request = new PrepareRequest(
                    List.of(new AppRequest(aci.toString(), null, null, null, null, null, null, null)), "fly",
                    Set.of(InsecureOption.IMAGE), Map.of(), null, null, null);

            // One pod to remove, one for gc to collect.
            PodInfo first = pods.prepare(paths, request, Progress.NONE);
            PodInfo second = pods.prepare(paths, request, Progress.NONE);
            for (PodInfo p : List.of(first, second)) {
                assertEquals(PodState.PREPARED, p.state());
                assertEquals("fly", p.stage1().name());
                assertEquals(1, p.apps().size());
                assertEquals("itest", p.apps().get(0).name());
                assertEquals(List.of("/bin/busybox", "true"), p.apps().get(0).exec());
                // The rootfs is an overlay mounted when the pod runs: its lower layer is the store's tree.
                Path tree = Path.of(Files.readAllLines(p.directory().resolve("apps/itest/layers")).get(0));
                assertTrue("the image's rendered tree " + tree + " has busybox",
                        Files.isExecutable(tree.resolve("bin/busybox")));
                assertTrue("the tree is in the store", tree.startsWith(paths.dataDir().resolve("tree")));
            }
            List<PodInfo> listed = pods.list(paths);
            assertEquals(List.of(first.uuid(), second.uuid()).stream().sorted().toList(),
                    listed.stream().map(PodInfo::uuid).sorted().toList());
            for (PodInfo p : listed) {
                assertEquals("pod " + p.uuid() + " is listed", PodState.PREPARED, p.state());
            }

            pods.remove(paths, first.uuid());
            assertEquals(List.of(second.uuid()), pods.list(paths).stream().map(PodInfo::uuid).toList());
            assertTrue(first.directory() + " is gone", !Files.exists(first.directory()));

            // A prepared pod older than expirePrepared is garbage.
            GcReport report = pods.gc(paths, Duration.ZERO, Duration.ZERO, false);
            assertEquals("gc failures: " + report.failures(), List.of(), report.failures());
            assertEquals(List.of(second.uuid()), report.removed());

            assertEquals(List.of(), pods.list(paths));
            assertEquals("nothing is left under pods/*/", List.of(), Platform.podDirectories(paths.dataDir()));
        } finally {
            context.ungetService(ref);
        }
    }

    /**
     * The OCI/Docker image model is a library bundle of its own: refreshing an updated oci format
     * refreshes that format alone, not the docker format, which takes the model from the library.
     */
    @Test
    public void refreshingTheOciFormatRefreshesNotTheDockerFormat() {
        Map<String, Bundle> bySymbolicName = new HashMap<>();
        for (Bundle b : context.getBundles()) {
            bySymbolicName.put(b.getSymbolicName(), b);
        }
        Bundle oci = bySymbolicName.get("org.bosun.image.oci");
        Bundle docker = bySymbolicName.get("org.bosun.image.docker");
        assertNotNull(oci);
        assertNotNull(docker);
        FrameworkWiring framework = context.getBundle(Constants.SYSTEM_BUNDLE_LOCATION).adapt(FrameworkWiring.class);
        assertEquals(List.of("org.bosun.image.oci"), framework.getDependencyClosure(List.of(oci)).stream()
                .map(Bundle::getSymbolicName).toList());
        Map<String, String> providers = new HashMap<>();
        for (var wire : docker.adapt(BundleWiring.class).getRequiredWires(PackageNamespace.PACKAGE_NAMESPACE)) {
            String pkg = (String) wire.getCapability().getAttributes().get(PackageNamespace.PACKAGE_NAMESPACE);
            if (pkg.startsWith("org.bosun.image.oci.")) {
                providers.put(pkg, wire.getProvider().getBundle().getSymbolicName());
            }
        }
        assertEquals(Map.of("org.bosun.image.oci.model", "org.bosun.image.oci.image", "org.bosun.image.oci.layers",
                "org.bosun.image.oci.image", "org.bosun.image.oci.signing", "org.bosun.image.oci.image"), providers);
    }

    /** ACTIVE, or STARTING because it waits for its first class load (Bundle-ActivationPolicy: lazy). */
    static boolean isStarted(Bundle b) {
        if (b.getState() == Bundle.ACTIVE) {
            return true;
        }
        return b.getState() == Bundle.STARTING
                && String.valueOf(b.getHeaders().get(Constants.BUNDLE_ACTIVATIONPOLICY)).startsWith(Constants.ACTIVATION_LAZY);
    }

    static String stateName(int state) {
        return switch (state) {
            case Bundle.INSTALLED -> "INSTALLED (not resolved)";
            case Bundle.RESOLVED -> "RESOLVED (not started)";
            case Bundle.STARTING -> "STARTING";
            case Bundle.STOPPING -> "STOPPING";
            case Bundle.ACTIVE -> "ACTIVE";
            case Bundle.UNINSTALLED -> "UNINSTALLED";
            default -> "in state " + state;
        };
    }
}
