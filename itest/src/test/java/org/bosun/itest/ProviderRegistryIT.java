package org.bosun.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.bosun.api.BosunException;
import org.bosun.api.ErrorKind;
import org.bosun.api.RuntimePaths;
import org.bosun.api.provider.ProviderFilter;
import org.bosun.api.provider.ProviderKind;
import org.bosun.api.provider.ProviderReference;
import org.bosun.api.provider.ProviderRegistry;
import org.bosun.api.provider.ProviderStatus;
import org.bosun.api.stage1.Stage1Engine;
import org.bosun.command.protocol.CommandService;
import org.junit.After;
import org.junit.Assume;
import org.junit.Before;
import org.junit.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceReference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The provider registry with the real provider bundles: selection by service properties (escaped),
 * best first by ranking, each provider lent for one operation; and the status of every provider,
 * active, inactive with the provider's reason, or unsatisfied with what Declarative Services misses,
 * as {@code bosun version} and the Gogo command {@code bosun:providers} show it.
 */
public class ProviderRegistryIT extends PlatformCase {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ServiceReference<ProviderRegistry> registryRef;
    private ProviderRegistry registry;

    @Before
    public void getTheRegistry() throws Exception {
        registryRef = Platform.awaitService(context, ProviderRegistry.class, null, 30);
        registry = context.getService(registryRef);
        Platform.awaitService(context, Stage1Engine.class, ProviderKind.ENGINE.named("fly"), 30);
    }

    @After
    public void startEveryBundleAgain() throws Exception {
        for (String bsn : List.of("org.bosun.stage1.fly", "org.bosun.cni.executor")) {
            Bundle b = BundleUpdates.installed(context, bsn);
            if (b.getState() != Bundle.ACTIVE) {
                b.start();
            }
        }
        context.ungetService(registryRef);
    }

    /**
     * While a provider's bundle is swapped (stopped transiently, as an update does), a lookup waits
     * for the new one instead of answering "unavailable".
     */
    @Test
    public void aLookupWaitsForABundleBeingSwapped() throws Exception {
        Bundle fly = BundleUpdates.installed(context, "org.bosun.stage1.fly");
        fly.stop(Bundle.STOP_TRANSIENT);
        Thread swap = new Thread(() -> {
            try {
                Thread.sleep(700);
                fly.start(Bundle.START_TRANSIENT);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        long start = System.nanoTime();
        swap.start();
        Optional<ProviderReference<Stage1Engine>> found = registry.best(ProviderKind.ENGINE,
                ProviderKind.ENGINE.named("fly"));
        long waited = (System.nanoTime() - start) / 1_000_000;
        swap.join();
        assertTrue("found once the swap ended", found.isPresent());
        assertTrue("waited for the swap: " + waited + " ms", waited >= 500);

        // No swap under way: a provider that is not there is reported at once.
        start = System.nanoTime();
        assertEquals(Optional.empty(), registry.best(ProviderKind.ENGINE, ProviderKind.ENGINE.named("no-such-engine")));
        assertTrue("no wait without a swap", (System.nanoTime() - start) / 1_000_000 < 500);
    }

    @Test
    public void providersAreSelectedByTheirPropertiesAndLentForOneOperation() throws Exception {
        ProviderReference<Stage1Engine> fly = registry.best(ProviderKind.ENGINE, ProviderKind.ENGINE.named("fly"))
                .orElseThrow(() -> new AssertionError("no fly engine in " + names(ProviderKind.ENGINE)));
        assertEquals("fly", fly.name());
        assertEquals("org.bosun.stage1.fly", fly.bundleSymbolicName());
        assertEquals(1, fly.abiVersion().getAsInt());
        assertEquals(Integer.valueOf(1), fly.use(engine -> engine.capabilities().maxApps()));
        assertEquals("a name is matched literally, never as a pattern", Optional.empty(),
                registry.best(ProviderKind.ENGINE, ProviderKind.ENGINE.named("fl*")));
        assertEquals(List.of("fly", "nspawn", "oci"), names(ProviderKind.ENGINE).stream().sorted().toList());

        assertEquals("appc", registry.best(ProviderKind.IMAGE_FORMAT, ProviderFilter.readingImage("file", "/x/b.aci"))
                .map(ProviderReference::name).orElse(null));
        assertEquals("docker", registry.best(ProviderKind.IMAGE_FORMAT,
                ProviderFilter.readingImage("docker", "example.com/busybox:1")).map(ProviderReference::name).orElse(null));
        assertEquals("no format reads a .tar file", Optional.empty(),
                registry.best(ProviderKind.IMAGE_FORMAT, ProviderFilter.readingImage("file", "/x/b.tar")));
        assertEquals("org.bosun.store", registry.best(ProviderKind.IMAGE_STORE, null).orElseThrow().bundleSymbolicName());
        assertEquals("org.bosun.trust", registry.best(ProviderKind.TRUST_STORE, null).orElseThrow().bundleSymbolicName());
        assertEquals("org.bosun.image.appc", registry.best(ProviderKind.KEY_DISCOVERY, null).orElseThrow()
                .bundleSymbolicName());
        assertEquals("tpm", registry.best(ProviderKind.MEASUREMENT_LOG, null).orElseThrow().name());
        assertEquals("cni", registry.best(ProviderKind.NETWORK, ProviderKind.NETWORK.named("cni")).orElseThrow().name());

        // Security modules contribute in ranking order: capabilities 300, paths 200, ..., tpm 0.
        List<String> modules = names(ProviderKind.SECURITY_MODULE);
        assertEquals("highest ranking first: " + modules, List.of("capabilities", "paths"), modules.subList(0, 2));
        assertEquals("lowest ranking last: " + modules, "tpm", modules.get(modules.size() - 1));

        // A reference kept past its operation finds its provider gone once the bundle stopped: try again.
        BundleUpdates.installed(context, "org.bosun.stage1.fly").stop();
        try {
            fly.use(engine -> engine.capabilities());
            fail("the stopped fly engine was still lent");
        } catch (BosunException e) {
            assertEquals(ErrorKind.UNAVAILABLE, e.kind());
            assertTrue(e.getMessage(), e.getMessage().startsWith("engine 'fly' (bundle org.bosun.stage1.fly ")
                    && e.getMessage().endsWith(" went away; try again"));
        }
        assertEquals(Optional.empty(), registry.best(ProviderKind.ENGINE, ProviderKind.ENGINE.named("fly")));
        BundleUpdates.installed(context, "org.bosun.stage1.fly").start();
        assertTrue("the fly engine is back within 30 s", Platform.eventually(30_000,
                () -> registry.best(ProviderKind.ENGINE, ProviderKind.ENGINE.named("fly")).isPresent()));
        assertEquals(Integer.valueOf(1), registry.best(ProviderKind.ENGINE, ProviderKind.ENGINE.named("fly"))
                .orElseThrow().use(engine -> engine.capabilities().maxApps()));
    }

    @Test
    public void everyProviderIsActiveInactiveWithItsReasonOrUnsatisfiedWithWhatItMisses() throws Exception {
        Assume.assumeFalse("SELinux is enabled here", Files.exists(Path.of("/sys/fs/selinux/enforce")));
        RuntimePaths paths = new RuntimePaths(tmp.resolve("data"), tmp.resolve("etc"), tmp.resolve("lib"));
        List<ProviderStatus> status = registry.status(paths);
        for (ProviderKind<?> kind : ProviderKind.all()) {
            assertTrue("a provider of kind " + kind + " in " + status, status.stream().anyMatch(s -> s.kind() == kind));
        }
        assertEquals("active", find(status, ProviderKind.ENGINE, "fly").describe());
        assertEquals("active", find(status, ProviderKind.NETWORK, "cni").describe());
        assertEquals(Integer.valueOf(1), find(status, ProviderKind.ENGINE, "nspawn").abiVersion());
        ProviderStatus selinux = find(status, ProviderKind.SECURITY_MODULE, "selinux");
        assertTrue(selinux.describe(), selinux.describe().startsWith("inactive: SELinux is not enabled on this host"));
        ProviderStatus tpm = find(status, ProviderKind.SECURITY_MODULE, "tpm");
        assertTrue("asked with the command's configuration: " + tpm, tpm.describe().startsWith("inactive: no TPM")
                && tpm.reason().contains(paths.localConfigDir().toString()));

        // Without the CNI executor, the network provider that needs it is unsatisfied, and says so.
        BundleUpdates.installed(context, "org.bosun.cni.executor").stop();
        String missing = "unsatisfied: missing org.bosun.cni.api.CniExecutor";
        assertEquals(missing, find(registry.status(paths), ProviderKind.NETWORK, "cni").describe());

        ServiceReference<CommandService> cliRef = Platform.awaitService(context, CommandService.class, null, 30);
        CommandService cli = context.getService(cliRef);
        try {
            String[] common = {"--dir", paths.dataDir().toString(), "--local-config", paths.localConfigDir().toString(),
                    "--system-config", paths.systemConfigDir().toString()};
            Platform.Run json = Platform.bosun(cli, tmp, concat(common, "version", "--format=json"));
            assertEquals("bosun version --format=json: " + json, 0, json.exitCode());
            JsonNode cni = null;
            for (JsonNode p : JSON.readTree(json.stdout()).path("providers")) {
                if (p.path("kind").asText().equals("network") && p.path("name").asText().equals("cni")) {
                    cni = p;
                }
            }
            assertTrue("the cni provider in " + json, cni != null);
            assertEquals("unsatisfied", cni.path("state").asText());
            assertEquals("missing org.bosun.cni.api.CniExecutor", cni.path("reason").asText());
            assertEquals("org.bosun.cni.networks", cni.path("bundle").asText());

            Platform.Run human = Platform.bosun(cli, tmp, concat(common, "version"));
            assertEquals("bosun version: " + human, 0, human.exitCode());
            assertTrue("bosun version has a provider table: " + human, human.stdout().contains("\nProviders:\n"));
            assertTrue("bosun version shows the unsatisfied cni provider: " + human, human.stdout().lines()
                    .anyMatch(l -> l.matches("  network +cni +org\\.bosun\\.cni\\.networks +\\S+ +- +" + missing)));
        } finally {
            context.ungetService(cliRef);
        }
        String gogo = GogoShell.run(context, "bosun:providers");
        assertTrue("bosun:providers shows the unsatisfied cni provider: " + gogo, gogo.lines()
                .anyMatch(l -> l.matches("network +cni +org\\.bosun\\.cni\\.networks +\\S+ +- +" + missing)));
        assertTrue("bosun:providers shows the fly engine with its ABI: " + gogo, gogo.lines()
                .anyMatch(l -> l.matches("engine +fly +org\\.bosun\\.stage1\\.fly +\\S+ +1 +active")));

        BundleUpdates.installed(context, "org.bosun.cni.executor").start();
        assertTrue("the cni provider is active again within 30 s", Platform.eventually(30_000,
                () -> find(registry.status(paths), ProviderKind.NETWORK, "cni").isActive()));
    }

    private List<String> names(ProviderKind<?> kind) {
        return registry.providers(kind, null).stream().map(ProviderReference::name).toList();
    }

    private static ProviderStatus find(List<ProviderStatus> status, ProviderKind<?> kind, String name) {
        return status.stream().filter(s -> s.kind() == kind && name.equals(s.name())).findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " '" + name + "' in " + status));
    }

    private static String[] concat(String[] first, String... rest) {
        String[] all = java.util.Arrays.copyOf(first, first.length + rest.length);
        System.arraycopy(rest, 0, all, first.length, rest.length);
        return all;
    }
}
