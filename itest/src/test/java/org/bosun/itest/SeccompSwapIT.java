package org.bosun.itest;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.bosun.api.RuntimePaths;
import org.bosun.api.pod.PodInfo;
import org.bosun.api.pod.PodService;
import org.bosun.api.security.SecurityModule;
import org.bosun.api.security.SecurityModuleService;
import org.bosun.launch.CommandService;
import org.junit.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.Version;
import org.osgi.framework.wiring.FrameworkWiring;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Issue 6: a security module can be updated while the framework runs, and pods prepared before
 * keep the policy they were prepared with. The seccomp bundle is updated to a build whose default
 * whitelist lacks {@code membarrier} (its own jar with that line removed from the resource the
 * whitelist is read from, and a higher version): the pod prepared before still records a filter
 * that allows it, byte for byte as before; a pod prepared after gets the new default; and
 * {@code bosun version} and the Gogo {@code bosun:security} command list the new module version.
 */
public class SeccompSwapIT extends PlatformCase {
    private static final String SECCOMP_BSN = "org.bosun.security.seccomp";
    private static final String SECCOMP_FILTER = "(" + SecurityModuleService.NAME + "=seccomp)";
    private static final String ADDITIONS = "org/bosun/security/seccomp/bosun-additions.txt";
    private static final String DROPPED = "membarrier";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    public void aPodPreparedBeforeASeccompUpdateKeepsItsFilterAndANewPodGetsTheNewOne() throws Exception {
        Path data = tmp.resolve("data");
        RuntimePaths paths = new RuntimePaths(data, tmp.resolve("etc"), tmp.resolve("lib"));
        Path aci = Platform.buildBusyboxAci(tmp, "example.com/seccompswap");
        ServiceReference<CommandService> cliRef = Platform.awaitService(context, CommandService.class, null, 30);
        CommandService cli = context.getService(cliRef);
        ServiceReference<PodService> podsRef = Platform.awaitService(context, PodService.class, null, 30);
        PodService pods = context.getService(podsRef);
        ServiceReference<SecurityModule> oldModule = Platform.awaitService(context, SecurityModule.class,
                SECCOMP_FILTER, 30);
        Bundle seccomp = oldModule.getBundle();
        Version oldVersion = seccomp.getVersion();
        try {
            // 1. A pod prepared with the installed module: its default filter allows membarrier.
            PodInfo before = prepare(cli, pods, paths, data, aci);
            Path beforePolicy = policyFile(before);
            byte[] recorded = Files.readAllBytes(beforePolicy);
            assertTrue("the default whitelist allows " + DROPPED + ": " + allowed(recorded),
                    allowed(recorded).contains(DROPPED));

            // 2. Update the seccomp bundle to a build whose default whitelist lacks membarrier.
            Version newVersion = new Version(oldVersion.getMajor(), oldVersion.getMinor(), oldVersion.getMicro() + 1,
                    "seccompswap");
            seccomp.update(new ByteArrayInputStream(modifiedBuild(seccomp, newVersion)));
            refresh(seccomp);
            assertEquals(newVersion, seccomp.getVersion());
            ServiceReference<SecurityModule> newModule = awaitModuleOfVersion(newVersion);
            assertNotEquals("a new module service replaced the old one", oldModule.getProperty(Constants.SERVICE_ID),
                    newModule.getProperty(Constants.SERVICE_ID));

            // 3. The prepared pod keeps exactly the filter it was prepared with.
            assertArrayEquals("the recorded policy of pod " + before.uuid() + " changed with the module update",
                    recorded, Files.readAllBytes(beforePolicy));
            assertEquals(before.protectionsOff(), pods.status(paths, before.uuid()).protectionsOff());

            // 4. A pod prepared now gets the new module's default.
            PodInfo after = prepare(cli, pods, paths, data, aci);
            List<String> newAllowed = allowed(Files.readAllBytes(policyFile(after)));
            assertFalse("the updated module's default whitelist lacks " + DROPPED + ": " + newAllowed,
                    newAllowed.contains(DROPPED));
            assertTrue("otherwise it is the same whitelist: " + newAllowed, newAllowed.contains("read"));

            // 5. bosun version and the Gogo shell list the updated module, active.
            Platform.Run version = Platform.bosun(cli, tmp, "--dir", data.toString(), "version");
            assertEquals("bosun version: " + version, 0, version.exitCode());
            assertTrue("bosun version lists the updated seccomp module: " + version, version.stdout()
                    .contains("\n  seccomp  " + SECCOMP_BSN + " " + newVersion + ": active\n"));
            String gogo = gogo("bosun:security");
            assertTrue("bosun:security lists the updated seccomp module: " + gogo,
                    gogo.contains("seccomp  " + SECCOMP_BSN + " " + newVersion + "  active\n"));

            Platform.Run gc = Platform.bosun(cli, tmp, "--dir", data.toString(), "gc", "--expire-prepared=0s");
            assertEquals("bosun gc: " + gc, 0, gc.exitCode());
            assertEquals(List.of(), Platform.podDirectories(data));
        } finally {
            context.ungetService(cliRef);
            context.ungetService(podsRef);
        }
    }

    private PodInfo prepare(CommandService cli, PodService pods, RuntimePaths paths, Path data, Path aci) {
        Platform.Run prepare = Platform.bosun(cli, tmp, "--dir", data.toString(), "prepare", "--insecure-options=image",
                "--stage1-name=nspawn", aci.toString());
        assertEquals("bosun prepare: " + prepare, 0, prepare.exitCode());
        return pods.status(paths, prepare.stdout().strip());
    }

    private static Path policyFile(PodInfo pod) {
        Path file = pod.directory().resolve("apps").resolve(pod.apps().get(0).name()).resolve("security.json");
        assertTrue(file + " records the app's policy", Files.isRegularFile(file));
        return file;
    }

    /** The system calls an OCI whitelist profile allows. */
    private static List<String> allowed(byte[] policy) throws IOException {
        JsonNode profile = JSON.readTree(JSON.readTree(policy).path("seccompProfile").asText());
        assertEquals("a whitelist: " + profile, "SCMP_ACT_ERRNO", profile.path("defaultAction").asText());
        List<String> names = new java.util.ArrayList<>();
        for (JsonNode rule : profile.path("syscalls")) {
            if (rule.path("action").asText().equals("SCMP_ACT_ALLOW")) {
                rule.path("names").forEach(n -> names.add(n.asText()));
            }
        }
        return names;
    }

    /** The bundle's own jar with another version and {@value #DROPPED} removed from its default additions. */
    private static byte[] modifiedBuild(Bundle bundle, Version version) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        boolean dropped = false;
        try (InputStream in = new URL(bundle.getLocation()).openStream();
                JarInputStream jar = new JarInputStream(in, false)) {
            Manifest manifest = jar.getManifest();
            assertNotNull(bundle.getLocation() + " has a manifest", manifest);
            manifest.getMainAttributes().put(new Attributes.Name(Constants.BUNDLE_VERSION), version.toString());
            try (JarOutputStream out = new JarOutputStream(bytes, manifest)) {
                JarEntry entry;
                while ((entry = jar.getNextJarEntry()) != null) {
                    out.putNextEntry(new JarEntry(entry.getName()));
                    if (entry.getName().equals(ADDITIONS)) {
                        String text = new String(jar.readAllBytes(), StandardCharsets.UTF_8);
                        String without = text.replaceAll("(?m)^" + DROPPED + "\n", "");
                        dropped = !without.equals(text);
                        out.write(without.getBytes(StandardCharsets.UTF_8));
                    } else {
                        jar.transferTo(out);
                    }
                    out.closeEntry();
                }
            }
        }
        assertTrue(ADDITIONS + " in " + bundle.getLocation() + " lists " + DROPPED, dropped);
        return bytes.toByteArray();
    }

    private void refresh(Bundle bundle) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        context.getBundle(Constants.SYSTEM_BUNDLE_LOCATION).adapt(FrameworkWiring.class)
                .refreshBundles(List.of(bundle), event -> {
                    if (event.getType() == FrameworkEvent.PACKAGES_REFRESHED || event.getType() == FrameworkEvent.ERROR) {
                        done.countDown();
                    }
                });
        assertTrue("refreshing " + bundle.getSymbolicName() + " finished", done.await(30, TimeUnit.SECONDS));
    }

    private ServiceReference<SecurityModule> awaitModuleOfVersion(Version version) throws Exception {
        assertTrue("a seccomp module of version " + version + " is registered within 30 s", Platform.eventually(30_000,
                () -> moduleOfVersion(version) != null));
        return moduleOfVersion(version);
    }

    private ServiceReference<SecurityModule> moduleOfVersion(Version version) {
        try {
            for (ServiceReference<SecurityModule> ref : context.getServiceReferences(SecurityModule.class, SECCOMP_FILTER)) {
                Bundle b = ref.getBundle();
                if (b != null && SECCOMP_BSN.equals(b.getSymbolicName()) && version.equals(b.getVersion())) {
                    return ref;
                }
            }
        } catch (org.osgi.framework.InvalidSyntaxException e) {
            throw new AssertionError(e);
        }
        return null;
    }

    private String gogo(String command) throws Exception {
        ServiceReference<CommandProcessor> gogoRef = Platform.awaitService(context, CommandProcessor.class, null, 30);
        Platform.awaitService(context, Object.class, "(&(osgi.command.scope=bosun)(osgi.command.function=security))", 30);
        CommandProcessor processor = context.getService(gogoRef);
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        try (CommandSession session = processor.createSession(new ByteArrayInputStream(new byte[0]),
                new PrintStream(console, true, StandardCharsets.UTF_8), new PrintStream(console, true, StandardCharsets.UTF_8))) {
            return String.valueOf(session.execute(command)) + console.toString(StandardCharsets.UTF_8);
        } finally {
            context.ungetService(gogoRef);
        }
    }
}
