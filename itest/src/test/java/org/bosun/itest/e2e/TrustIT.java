package org.bosun.itest.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.zip.GZIPInputStream;

import org.junit.Before;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.RuleChain;
import org.junit.rules.TestRule;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Secure by default, as rkt: a signed ACI runs only when its signer is trusted for the image's
 * name. Keys and signatures come from the real gpg; each test has its own local and system
 * configuration directories, so nothing touches /etc/bosun or /usr/lib/bosun.
 */
public class TrustIT extends E2eCase {
    static final BosunFixture FIXTURE = new BosunFixture();
    static final GpgHome GPG = new GpgHome();
    @ClassRule
    public static final TestRule CLASS_RULES = RuleChain.outerRule(FIXTURE).around(GPG);

    static final String NAME = "example.com/busybox";
    private static String signer;
    private static String other;

    /** The busybox ACI, uncompressed (so a test can change a byte and keep a readable archive), with busybox.aci.asc. */
    private Path image;
    private Path key;
    private Path otherKey;
    private Path local;
    private Path system;

    public TrustIT(Mode mode) {
        super(FIXTURE, mode);
    }

    @Before
    public void signedImageAndKeys() throws Exception {
        synchronized (TrustIT.class) {
            if (signer == null) {
                signer = GPG.generate("Busybox Signer <signer@example.com>", "default");
                other = GPG.generate("Someone Else <else@example.com>", "ed25519");
            }
        }
        image = work.resolve("busybox.aci");
        try (InputStream in = new GZIPInputStream(Files.newInputStream(fixture.busyboxAci))) {
            Files.copy(in, image);
        }
        GPG.sign(signer, image);
        key = GPG.export(signer, work.resolve("signer.asc"));
        otherKey = GPG.export(other, work.resolve("other.asc"));
        local = work.resolve("local");
        system = work.resolve("system");
    }

    /** {@code bosun --dir DATA --local-config LOCAL --system-config SYSTEM args...}. */
    private BosunResult withConfig(String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("--local-config", local.toString(), "--system-config", system.toString()));
        all.addAll(Arrays.asList(args));
        return bosun(all.toArray(new String[0]));
    }

    private BosunResult runImage(String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of("run", FLY));
        args.addAll(Arrays.asList(extra));
        args.addAll(List.of(image.toString(), "--", "-c", "echo hello from busybox"));
        return withConfig(args.toArray(new String[0]));
    }

    private static void assertRan(BosunResult r) {
        assertExit(0, r);
        assertEquals(r.describe(), "hello from busybox\n", r.stdout);
        assertEquals(r.describe(), "", r.stderr);
    }

    /** Refused before the app started: 125, one clear line on stderr naming the image, nothing on stdout. */
    private static String assertRefused(BosunResult r) {
        assertExit(125, r);
        assertOneClearLine(r);
        assertEquals(r.describe(), "", r.stdout);
        return r.stderr;
    }

    private BosunResult trust(String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("trust"));
        all.addAll(Arrays.asList(args));
        return withConfig(all.toArray(new String[0]));
    }

    private Path keyFile(String scopeDir, String fingerprint) {
        return local.resolve("trustedkeys").resolve(scopeDir).resolve(fingerprint.toLowerCase(Locale.ROOT));
    }

    /** rkt's per-image {@code --signature=FILE}: the signature kept anywhere, not beside the image. */
    @Test
    @AgentModeOnly("signature checks are the trust bundle's code in both modes")
    public void aSignatureFileGivenAfterTheImageVerifiesIt() throws Exception {
        assertExit(0, trust("--prefix=" + NAME, "--skip-fingerprint-review", key.toString()));
        Path signature = Files.move(image.resolveSibling("busybox.aci.asc"), work.resolve("kept-elsewhere.sig"));
        String unsigned = assertRefused(runImage());
        assertTrue(unsigned, unsigned.contains("is not signed"));
        BosunResult run = withConfig("run", FLY, image.toString(), "--signature", signature.toString(), "--", "-c",
                "echo hello from busybox");
        assertRan(run);
        // A signature by a key that is not trusted for the name is refused as one beside the image would be.
        Path byOther = GPG.sign(other, image);
        Path otherSignature = Files.move(byOther, work.resolve("by-other.sig"));
        String refused = assertRefused(withConfig("run", FLY, image.toString(), "--signature=" + otherSignature));
        assertTrue(refused, refused.contains(image.toString()));
        String missing = assertRefused(withConfig("run", FLY, image.toString(), "--signature=" + work.resolve("none")));
        assertTrue(missing, missing.contains("signature file " + work.resolve("none") + " does not exist"));
    }

    /** rkt's {@code fetch IMAGE --signature=FILE}: the same per-image signature as run's. */
    @Test
    public void fetchTakesASignatureFileAfterTheImage() throws Exception {
        assertExit(0, trust("--prefix=" + NAME, "--skip-fingerprint-review", key.toString()));
        Path signature = Files.move(image.resolveSibling("busybox.aci.asc"), work.resolve("kept-elsewhere.sig"));
        BosunResult unsigned = withConfig("fetch", image.toString());
        assertExit(4, unsigned);
        assertOneClearLine(unsigned);
        assertTrue(unsigned.describe(), unsigned.stderr.contains("is not signed"));
        Path byOther = Files.move(GPG.sign(other, image), work.resolve("by-other.sig"));
        BosunResult untrusted = withConfig("fetch", image.toString(), "--signature=" + byOther);
        assertTrue(untrusted.describe(), untrusted.exitCode != 0);
        assertOneClearLine(untrusted);
        BosunResult before = withConfig("fetch", "--signature=" + signature, image.toString());
        assertTrue(before.describe(), before.exitCode != 0);
        assertOneClearLine(before);
        BosunResult fetched = withConfig("fetch", image.toString(), "--signature", signature.toString(), "--full");
        assertExit(0, fetched);
        assertTrue(fetched.describe(), fetched.stdout.trim().startsWith("sha512-"));
        BosunResult docker = withConfig("fetch", "docker://busybox:1", "--signature=" + signature);
        assertExit(4, docker);
        assertOneClearLine(docker);
        assertTrue(docker.describe(), docker.stderr.contains("--signature of image docker://busybox:1"));
    }

    @Test
    public void anImageByAnUntrustedKeyIsRefusedUntilTheKeyIsTrustedForItsName() throws Exception {
        String line = assertRefused(runImage());
        assertMentions("the refusal names the signer's fingerprint", signer, line);
        assertMentions("the refusal names the command that trusts it", "bosun trust --prefix=" + NAME + " KEYFILE", line);
        assertMentions("the refusal names the image", image.toString(), line);
        assertNoPods();

        BosunResult trust = trust("--prefix=" + NAME, "--skip-fingerprint-review", key.toString());
        assertExit(0, trust);
        Path stored = keyFile("prefix.d/" + NAME, signer);
        assertEquals(trust.describe(), "Trusting \"" + key + "\" for prefix \"" + NAME + "\" without fingerprint review.\n"
                + "Added key for prefix \"" + NAME + "\" at \"" + stored + "\"\n", trust.stdout);
        assertEquals(trust.describe(), "", trust.stderr);
        assertTrue(Files.readString(stored).startsWith("-----BEGIN PGP PUBLIC KEY BLOCK-----"));
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(stored)));

        assertRan(runImage());
    }

    @Test
    @AgentModeOnly("signature checks are the trust bundle's code in both modes")
    public void aChangedImageIsRefusedEvenWithATrustedSigner() throws Exception {
        assertExit(0, trust("--prefix=" + NAME, "--skip-fingerprint-review", key.toString()));
        byte[] bytes = Files.readAllBytes(image);
        int at = indexOf(bytes, "nobody:x:65534".getBytes(StandardCharsets.US_ASCII));
        assertTrue("the image holds /etc/passwd in clear", at > 0);
        bytes[at] = 'N';
        Files.write(image, bytes);

        String line = assertRefused(runImage());
        assertMentions("the refusal says what is wrong", "does not match its signature", line);
        assertMentions("the refusal names the signer", signer, line);
        assertNoPods();
    }

    @Test
    @AgentModeOnly("the trust store is the same code in both modes")
    public void aKeyTrustedForAnotherPrefixDoesNotHelp() throws Exception {
        assertExit(0, trust("--prefix=example.com/other", "--skip-fingerprint-review", key.toString()));
        // A prefix counts by path segments: example.com/busy is no prefix of example.com/busybox.
        assertExit(0, trust("--prefix=example.com/busy", "--skip-fingerprint-review", key.toString()));
        // The other key, trusted for the image's own name, did not sign it.
        assertExit(0, trust("--prefix=" + NAME, "--skip-fingerprint-review", otherKey.toString()));

        String line = assertRefused(runImage());
        assertMentions("the refusal names the signer", signer, line);
        assertMentions("the refusal says where the key counts",
                "only for prefix example.com/busy, prefix example.com/other", line);
        assertMentions("the refusal names the fix", "bosun trust --prefix=" + NAME + " KEYFILE", line);
        assertNoPods();

        assertExit(0, trust("--prefix=example.com", "--skip-fingerprint-review", key.toString()));
        assertRan(runImage());
    }

    @Test
    @AgentModeOnly("the insecure option is read by the same cli code in both modes")
    public void insecureOptionsImageSkipsVerification() throws Exception {
        assertRan(runImage(INSECURE));
        Files.writeString(image.resolveSibling("busybox.aci.asc"), "not a signature\n");
        assertRan(runImage(INSECURE));
        String line = assertRefused(runImage());
        assertMentions("a broken signature file is refused without the option", "holds no OpenPGP signature", line);
    }

    @Test
    @AgentModeOnly("the trust store is the same code in both modes")
    public void trustedKeysAreListedAndRemoved() throws Exception {
        assertExit(0, trust("--prefix=" + NAME, "--skip-fingerprint-review", key.toString()));
        assertExit(0, trust("--root", "--skip-fingerprint-review", otherKey.toString()));

        BosunResult list = trust("--list", "--format=json");
        assertExit(0, list);
        JsonNode keys = JSON.readTree(list.stdout);
        assertEquals(list.describe(), 2, keys.size());
        assertTrue(keys.get(0).path("root").asBoolean());
        assertEquals(other, keys.get(0).path("fingerprint").asText());
        assertEquals(NAME, keys.get(1).path("prefix").asText());
        assertEquals(signer, keys.get(1).path("fingerprint").asText());
        assertEquals("Busybox Signer <signer@example.com>", keys.get(1).path("user_ids").get(0).asText());
        assertEquals("local", keys.get(1).path("origin").asText());

        BosunResult table = trust("--list");
        assertExit(0, table);
        assertEquals(table.describe(), List.of("PREFIX", "FINGERPRINT", "ORIGIN", "USER", "ID"),
                Arrays.asList(table.stdoutLines().get(0).split("\\s+")));
        assertEquals(table.describe(), 3, table.stdoutLines().size());

        BosunResult remove = trust("--remove", signer.toLowerCase(Locale.ROOT), "--prefix=" + NAME);
        assertExit(0, remove);
        assertEquals(remove.describe(), "Removed key " + signer + " for prefix \"" + NAME + "\" ("
                + keyFile("prefix.d/" + NAME, signer) + ")\n", remove.stdout);
        assertFalse(Files.exists(local.resolve("trustedkeys/prefix.d/example.com")));
        assertRefused(runImage());

        BosunResult again = trust("--remove", signer, "--prefix=" + NAME);
        assertExit(2, again);
        assertOneClearLine(again);
    }

    @Test
    @AgentModeOnly("the trust store is the same code in both modes")
    public void aSystemKeyIsTrustedUntilTheLocalConfigurationWithdrawsIt() throws Exception {
        Path systemKey = system.resolve("trustedkeys/root.d").resolve(signer.toLowerCase(Locale.ROOT));
        Files.createDirectories(systemKey.getParent());
        Files.copy(key, systemKey);
        assertRan(runImage());

        BosunResult remove = trust("--remove", signer, "--root");
        assertExit(0, remove);
        assertContains("says it withdrew a system key", "Withdrew system key " + signer, remove);
        assertEquals("an empty local file shadows it", 0, Files.size(keyFile("root.d", signer)));
        assertTrue("the system file stays", Files.size(systemKey) > 0);
        assertMentions("refused again", "not trusted for " + NAME, assertRefused(runImage()));
    }

    @Test
    public void trustWithoutATerminalNeedsSkipFingerprintReview() throws Exception {
        BosunResult trust = trust("--prefix=" + NAME, key.toString());
        assertExit(5, trust);
        assertOneClearLine(trust);
        assertContains("names the key", signer, trust);
        assertContains("names the way out", "--skip-fingerprint-review", trust);
        assertFalse("nothing stored", Files.exists(local.resolve("trustedkeys")));
    }

    private static void assertMentions(String what, String needle, String line) {
        assertTrue(what + ": expected '" + needle + "' in: " + line, line.contains(needle));
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
