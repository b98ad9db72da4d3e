package org.bosun.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.bosun.api.RuntimePaths;
import org.bosun.api.pod.LaunchSettings;
import org.bosun.api.pod.PodInfo;
import org.bosun.api.pod.PodService;
import org.bosun.api.security.SecurityModule;
import org.bosun.api.security.SecurityModuleService;
import org.bosun.command.protocol.CommandService;
import org.junit.Test;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.ConfigurationAdmin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Issue 6, SELinux: these machines have none (MACHINE-NOTES §12), so the selinux module is pointed,
 * through its OSGi configuration, at a host root that looks like an enforcing one (selinuxfs's
 * {@code enforce}, {@code /etc/selinux/config}, the policy's {@code lxc_contexts}). It becomes
 * active, and the labels it allocates reach each engine as that engine takes them: systemd-nspawn's
 * {@code -Z}/{@code -L} in the command that runs the pod, and runc's {@code process.selinuxLabel} /
 * {@code linux.mountLabel} in the app's container config. Two pods get different category pairs,
 * and removing a pod frees its pair. The pods are never run (the kernel has no SELinux to apply the
 * labels); the module's configuration is restored at the end.
 */
public class SelinuxLabelsIT extends PlatformCase {
    /** The selinux module's configuration PID: its component's name, the class's. */
    private static final String PID = "org.bosun.security.selinux.SelinuxModule";
    private static final String SELINUX_FILTER = "(" + SecurityModuleService.NAME + "=selinux)";
    private static final Pattern PROCESS = Pattern.compile("system_u:system_r:container_t:s0:(c\\d+,c\\d+)");
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    public void eachPodsLabelsReachNspawnFlagsAndOciConfigWithDistinctCategories() throws Exception {
        Path data = tmp.resolve("data");
        RuntimePaths paths = new RuntimePaths(data, tmp.resolve("etc"), tmp.resolve("lib"));
        Path aci = Platform.buildBusyboxAci(tmp, "example.com/selinux-labels");
        Path host = enforcingHost(tmp.resolve("host"));
        ServiceReference<CommandService> cliRef = Platform.awaitService(context, CommandService.class, null, 30);
        CommandService cli = context.getService(cliRef);
        ServiceReference<PodService> podsRef = Platform.awaitService(context, PodService.class, null, 30);
        PodService pods = context.getService(podsRef);
        ServiceReference<ConfigurationAdmin> cmRef = Platform.awaitService(context, ConfigurationAdmin.class, null, 30);
        org.osgi.service.cm.Configuration config = context.getService(cmRef).getConfiguration(PID, "?");
        Dictionary<String, Object> previous = config.getProperties();
        try {
            assertTrue("inactive here before it is configured: " + inactiveReason(),
                    inactiveReason() != null && inactiveReason().startsWith("SELinux is not enabled on this host"));
            Dictionary<String, Object> roots = new Hashtable<>();
            roots.put("selinuxfs", host.resolve("sys/fs/selinux").toString());
            roots.put("configDir", host.resolve("etc/selinux").toString());
            config.update(roots);
            assertTrue("the selinux module is active within 30 s on the configured root, not: " + inactiveReason(),
                    Platform.eventually(30_000, () -> inactiveReason() == null));
            Platform.Run version = Platform.bosun(cli, tmp, "--dir", data.toString(), "version");
            assertTrue("bosun version says the selinux module is active: " + version, version.stdout().lines()
                    .anyMatch(l -> l.startsWith("  selinux  org.bosun.security.selinux ") && l.endsWith(": active")));

            // nspawn: -Z with the process label, -L with the file label, both of the pod's pair.
            Platform.Run nspawnPrepare = Platform.bosun(cli, tmp, "--dir", data.toString(), "--debug", "prepare",
                    "--insecure-options=image", "--stage1-name=nspawn", aci.toString());
            assertEquals("bosun prepare (nspawn): " + nspawnPrepare, 0, nspawnPrepare.exitCode());
            assertFalse("an active module is not said inactive: " + nspawnPrepare,
                    nspawnPrepare.stderr().contains("selinux: inactive"));
            PodInfo nspawnPod = pods.status(paths, nspawnPrepare.stdout().strip());
            JsonNode nspawnLabels = recordedLabels(nspawnPod);
            String nspawnPair = categories(nspawnLabels);
            List<String> argv = pods.launch(paths, nspawnPod.uuid(), LaunchSettings.NONE).command().argv();
            assertTrue("systemd-nspawn gets -Z<process label>: " + argv,
                    argv.contains("-Z" + nspawnLabels.path("process").asText()));
            assertTrue("systemd-nspawn gets -L<mount label>: " + argv,
                    argv.contains("-L" + nspawnLabels.path("mount").asText()));

            // oci: the app's container config carries the labels, on runc's keys.
            Platform.Run ociPrepare = Platform.bosun(cli, tmp, "--dir", data.toString(), "prepare",
                    "--insecure-options=image", "--stage1-name=oci", "--stage1-option=runtime=runc", aci.toString());
            assertEquals("bosun prepare (oci): " + ociPrepare, 0, ociPrepare.exitCode());
            PodInfo ociPod = pods.status(paths, ociPrepare.stdout().strip());
            JsonNode ociLabels = recordedLabels(ociPod);
            String ociPair = categories(ociLabels);
            Path appConfig = ociPod.directory().resolve("engine/bundles/app-" + ociPod.apps().get(0).name()
                    + "/config.json");
            assertTrue(appConfig + " is the app's container config", Files.isRegularFile(appConfig));
            JsonNode oci = JSON.readTree(appConfig.toFile());
            assertEquals(appConfig.toString(), ociLabels.path("process").asText(),
                    oci.path("process").path("selinuxLabel").asText());
            assertEquals(appConfig.toString(), ociLabels.path("mount").asText(),
                    oci.path("linux").path("mountLabel").asText());

            assertNotEquals("two pods never share a category pair", nspawnPair, ociPair);
            Path allocations = data.resolve("selinux-mcs");
            String allocated = Files.readString(allocations);
            assertTrue(allocated, allocated.contains(nspawnPair + " " + nspawnPod.uuid()));
            assertTrue(allocated, allocated.contains(ociPair + " " + ociPod.uuid()));

            // Removing the pods frees their pairs.
            for (PodInfo pod : List.of(nspawnPod, ociPod)) {
                Platform.Run rm = Platform.bosun(cli, tmp, "--dir", data.toString(), "rm", pod.uuid());
                assertEquals("bosun rm: " + rm, 0, rm.exitCode());
            }
            assertEquals(List.of(), Platform.podDirectories(data));
            String left = Files.readString(allocations);
            assertFalse("rm freed the pairs: " + left, left.contains(nspawnPod.uuid()) || left.contains(ociPod.uuid()));
        } finally {
            Platform.bosun(cli, tmp, "--dir", data.toString(), "gc", "--grace-period=0s", "--expire-prepared=0s");
            if (previous == null) {
                config.delete();
            } else {
                config.update(previous);
            }
            context.ungetService(cmRef);
            context.ungetService(cliRef);
            context.ungetService(podsRef);
        }
        assertTrue("the restored module is inactive again within 30 s",
                Platform.eventually(30_000, () -> inactiveReason() != null));
    }

    /** A host root that looks like SELinux enforcing the targeted policy, with container contexts. */
    private static Path enforcingHost(Path root) throws Exception {
        Path selinuxfs = Files.createDirectories(root.resolve("sys/fs/selinux"));
        Files.writeString(selinuxfs.resolve("enforce"), "1");
        Path etc = Files.createDirectories(root.resolve("etc/selinux"));
        Files.writeString(etc.resolve("config"), "SELINUX=enforcing\nSELINUXTYPE=targeted\n");
        Path contexts = Files.createDirectories(etc.resolve("targeted/contexts"));
        Files.writeString(contexts.resolve("lxc_contexts"), "process = \"system_u:system_r:container_t:s0\"\n"
                + "content = \"system_u:object_r:virt_var_lib_t:s0\"\n"
                + "file = \"system_u:object_r:container_file_t:s0\"\n"
                + "ro_file = \"system_u:object_r:container_ro_file_t:s0\"\n");
        return root;
    }

    /** The selinux module's inactive reason now (null: active), or a sentence when it is not registered. */
    private String inactiveReason() {
        try {
            var refs = context.getServiceReferences(SecurityModule.class, SELINUX_FILTER);
            if (refs.isEmpty()) {
                return "no selinux module registered";
            }
            ServiceReference<SecurityModule> ref = refs.iterator().next();
            SecurityModule module = context.getService(ref);
            if (module == null) {
                return "the selinux module went away";
            }
            try {
                return module.inactiveReason(RuntimePaths.defaults());
            } finally {
                context.ungetService(ref);
            }
        } catch (InvalidSyntaxException e) {
            throw new AssertionError(e);
        }
    }

    /** The labels recorded in the pod's only app's policy. */
    private static JsonNode recordedLabels(PodInfo pod) throws Exception {
        Path policy = pod.directory().resolve("apps").resolve(pod.apps().get(0).name()).resolve("security.json");
        JsonNode labels = JSON.readTree(policy.toFile()).path("selinuxLabels");
        assertTrue(policy + " records the pod's labels: " + labels, labels.has("process") && labels.has("mount"));
        return labels;
    }

    /** The pair {@code cA,cB} of a pod's labels: the process label's, which the mount label shares. */
    private static String categories(JsonNode labels) {
        Matcher process = PROCESS.matcher(labels.path("process").asText());
        assertTrue("the process label is the policy's container context with a pair: " + labels, process.matches());
        assertEquals("the mount label is the policy's file context with the same pair: " + labels,
                "system_u:object_r:container_file_t:s0:" + process.group(1), labels.path("mount").asText());
        return process.group(1);
    }
}
