package org.bosun.itest;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.bosun.api.RuntimePaths;
import org.bosun.api.pod.PodInfo;
import org.bosun.api.pod.PodService;
import org.bosun.api.security.SecurityModule;
import org.bosun.api.security.SecurityModuleService;
import org.bosun.command.protocol.CommandService;
import org.junit.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.Version;

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
            BundleUpdates.refresh(context, seccomp);
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
            String gogo = GogoShell.run(context, "bosun:security");
            assertTrue("bosun:security lists the updated seccomp module: " + gogo,
                    gogo.contains("seccomp  " + SECCOMP_BSN + " " + newVersion + ": active\n"));

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
        boolean[] dropped = {false};
        byte[] jar = BundleUpdates.withVersion(bundle, version, ADDITIONS, text -> {
            String without = text.replaceAll("(?m)^" + DROPPED + "\n", "");
            dropped[0] = !without.equals(text);
            return without;
        });
        assertTrue(ADDITIONS + " in " + bundle.getLocation() + " lists " + DROPPED, dropped[0]);
        return jar;
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
}
