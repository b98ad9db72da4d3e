package org.bosun.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.bosun.api.BosunException;
import org.bosun.api.ErrorKind;
import org.bosun.api.RuntimePaths;
import org.bosun.api.image.FetchOptions;
import org.bosun.api.image.ImageFormat;
import org.bosun.api.image.ImageReference;
import org.bosun.api.image.ImageStore;
import org.bosun.api.trust.TrustStore;
import org.bosun.command.protocol.CommandService;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceReference;

/**
 * DESIGN.md §3: the appc format finds the trust store in the service registry for each image, so
 * the trust bundle can be stopped, started or replaced under it; without it a signed image is
 * refused as unavailable, never accepted unverified.
 */
public class TrustSwapIT extends PlatformCase {
    private static final String TRUST_BSN = "org.bosun.trust";
    private static final String NAME = "example.com/itest";

    private Path gnupg;

    @Before
    public void createGnupgHome() throws Exception {
        gnupg = Files.createTempDirectory(Path.of("/tmp"), "bosun-itest-gpg-");
        Files.setPosixFilePermissions(gnupg, PosixFilePermissions.fromString("rwx------"));
    }

    @After
    public void stopGpgAndRestartTheTrustBundle() throws Exception {
        try {
            ProcessBuilder kill = new ProcessBuilder("gpgconf", "--kill", "all").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectInput(new File("/dev/null"));
            kill.environment().put("GNUPGHOME", gnupg.toString());
            kill.start().waitFor(30, TimeUnit.SECONDS);
        } finally {
            Platform.deleteQuietly(gnupg);
        }
        Bundle trust = trustBundle();
        if (trust != null && trust.getState() != Bundle.ACTIVE && trust.getState() != Bundle.STARTING) {
            trust.start();
        }
    }

    @Test
    public void aSignedImageNeedsTheTrustBundleWhileItIsThereAndIsRefusedWhileItIsNot() throws Exception {
        RuntimePaths paths = new RuntimePaths(tmp.resolve("data"), tmp.resolve("etc"), tmp.resolve("lib"));
        Path aci = Platform.buildBusyboxAci(tmp, NAME);
        String fingerprint = gpgKey("Itest Signer <itest@example.com>");
        gpg("--local-user", fingerprint, "--armor", "--detach-sign", aci.toString());
        Path key = tmp.resolve("key.asc");
        Files.writeString(key, gpg("--armor", "--export", fingerprint));

        ServiceReference<CommandService> cliRef = Platform.awaitService(context, CommandService.class, null, 30);
        CommandService cli = context.getService(cliRef);
        try {
            Platform.Run trust = Platform.bosun(cli, tmp, "--local-config", tmp.resolve("etc").toString(),
                    "--system-config", tmp.resolve("lib").toString(), "trust", "--prefix=" + NAME,
                    "--skip-fingerprint-review", key.toString());
            assertEquals("bosun trust: " + trust, 0, trust.exitCode());
            assertEquals(NAME, open(aci, paths));

            Bundle bundle = trustBundle();
            assertNotNull("the trust bundle is installed", bundle);
            bundle.stop();
            assertTrue("the trust service is gone", Platform.eventually(10_000,
                    () -> context.getServiceReference(TrustStore.class) == null));
            BosunException refused = null;
            try {
                open(aci, paths);
            } catch (BosunException e) {
                refused = e;
            }
            assertNotNull("a signed image is refused without the trust bundle", refused);
            assertEquals(refused.getMessage(), ErrorKind.UNAVAILABLE, refused.kind());
            assertTrue(refused.getMessage(), refused.getMessage().contains(TRUST_BSN));
            Platform.Run list = Platform.bosun(cli, tmp, "--local-config", tmp.resolve("etc").toString(), "trust", "--list");
            assertEquals("bosun trust --list without the trust bundle: " + list, ErrorKind.UNAVAILABLE.exitCode(),
                    list.exitCode());

            bundle.start();
            assertNotNull(Platform.awaitService(context, TrustStore.class, null, 30));
            assertEquals("verified again once the trust bundle is back", NAME, open(aci, paths));
        } finally {
            context.ungetService(cliRef);
        }
    }

    /** Fetches the image through the appc format service into the store, as a pod preparation does. */
    private String open(Path aci, RuntimePaths paths) throws InterruptedException {
        ServiceReference<ImageFormat> ref = Platform.awaitService(context, ImageFormat.class, "(bosun.image.name=appc)", 30);
        ServiceReference<ImageStore> storeRef = Platform.awaitService(context, ImageStore.class, null, 30);
        ImageFormat format = context.getService(ref);
        ImageStore store = context.getService(storeRef);
        try {
            return format.fetch(ImageReference.parse(aci.toString(), tmp), new FetchOptions(paths, Set.of(), "new"),
                    store).manifest().name();
        } finally {
            context.ungetService(ref);
            context.ungetService(storeRef);
        }
    }

    private Bundle trustBundle() {
        for (Bundle b : context.getBundles()) {
            if (TRUST_BSN.equals(b.getSymbolicName())) {
                return b;
            }
        }
        return null;
    }

    private String gpgKey(String userId) throws Exception {
        gpg("--quick-gen-key", userId, "ed25519", "sign", "never");
        for (String line : gpg("--with-colons", "--list-keys", "=" + userId).split("\n")) {
            if (line.startsWith("fpr:")) {
                return line.split(":")[9];
            }
        }
        throw new AssertionError("gpg made no key");
    }

    private String gpg(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("gpg", "--batch", "--no-tty", "--quiet", "--pinentry-mode", "loopback",
                "--passphrase", ""));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectInput(new File("/dev/null"))
                .redirectError(tmp.resolve("gpg.err").toFile());
        pb.environment().put("GNUPGHOME", gnupg.toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", cmd) + " failed: " + Files.readString(tmp.resolve("gpg.err")));
        }
        return out;
    }
}
