package org.bosun.trust;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Stream;

import org.bosun.api.BosunException;
import org.bosun.api.ErrorKind;
import org.bosun.api.RuntimePaths;
import org.bosun.api.trust.OpenPgpKey;
import org.bosun.api.trust.Signer;
import org.bosun.api.trust.TrustScope;
import org.bosun.api.trust.TrustedKey;
import org.bosun.host.files.FileTree;
import org.junit.After;
import org.junit.Before;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;

/**
 * The trust store with keys and signatures made by the real gpg: rkt's key store layout, prefix
 * matching, local over system configuration, and every way a signature is refused.
 */
public class OpenPgpTrustStoreTest {
    @ClassRule
    public static final Gpg GPG = new Gpg();

    private static Path keys;
    /** RSA primary key that signs (gpg's default), with an encryption subkey. */
    private static String alice;
    /** Ed25519 primary key that signs. */
    private static String bob;
    /** Ed25519 certification-only primary key with an Ed25519 signing subkey. */
    private static String carol;
    private static String carolSubkey;
    /** Made on 2020-01-01, expired a day later. */
    private static String dave;
    /** Revoked after it signed. */
    private static String eve;
    private static byte[] eveBeforeRevocation;

    private static Path image;
    private static Path byAlice;
    private static Path byAliceBinary;
    private static Path byBob;
    private static Path byCarol;
    private static Path byDave;
    private static Path byEve;
    private static Path byAliceSha1;

    private final OpenPgpTrustStore store = new OpenPgpTrustStore();
    private Path scratch;
    private RuntimePaths paths;

    @BeforeClass
    public static void makeKeysAndSignatures() throws Exception {
        keys = Files.createTempDirectory("bosun-trust-keys-");
        image = keys.resolve("image.aci");
        byte[] content = new byte[200_000];
        new Random(1).nextBytes(content);
        Files.write(image, content);

        alice = GPG.generate("Alice <alice@example.com>", "default", "default", "never", null);
        bob = GPG.generate("Bob <bob@example.com>", "ed25519");
        carol = GPG.generate("Carol <carol@example.com>", "ed25519", "cert", "never", null);
        carolSubkey = GPG.addSubkey(carol, "ed25519", "sign");
        dave = GPG.generate("Dave <dave@example.com>", "ed25519", "sign", "1d", "20200101T000000");
        eve = GPG.generate("Eve <eve@example.com>", "ed25519");

        byAlice = GPG.sign(image, alice + "!", keys.resolve("alice.asc"), true);
        byAliceBinary = GPG.sign(image, alice + "!", keys.resolve("alice.sig"), false);
        byAliceSha1 = GPG.sign(image, alice + "!", keys.resolve("alice-sha1.asc"), true, "--digest-algo", "SHA1");
        byBob = GPG.sign(image, bob, keys.resolve("bob.asc"), true);
        byCarol = GPG.sign(image, carol, keys.resolve("carol.asc"), true);
        byDave = GPG.sign(image, dave, keys.resolve("dave.asc"), true, "--faked-system-time", "20200101T010000");
        byEve = GPG.sign(image, eve, keys.resolve("eve.asc"), true);
        eveBeforeRevocation = GPG.exportArmored(eve);
        GPG.revoke(eve);
    }

    @Before
    public void configuration() throws IOException {
        scratch = Files.createTempDirectory("bosun-trust-test-");
        paths = new RuntimePaths(scratch.resolve("data"), scratch.resolve("local"), scratch.resolve("system"));
    }

    @After
    public void removeConfiguration() throws IOException {
        deleteTree(scratch);
    }

    @org.junit.AfterClass
    public static void removeKeys() throws IOException {
        deleteTree(keys);
    }

    // ------------------------------------------------------------------ helpers

    private Signer verify(String name, Path signature) throws IOException {
        try (InputStream signed = Files.newInputStream(image); InputStream sig = Files.newInputStream(signature)) {
            return store.verify(paths, name, "image " + image, signed, sig);
        }
    }

    private BosunException refusal(String name, Path signature) {
        BosunException e = assertThrows(BosunException.class, () -> verify(name, signature));
        assertFalse("one line: " + e.getMessage(), e.getMessage().contains("\n"));
        assertTrue("starts with the subject: " + e.getMessage(), e.getMessage().startsWith("image " + image + " "));
        return e;
    }

    private void trust(TrustScope scope, String fingerprint) throws Exception {
        store.trust(paths, scope, GPG.exportArmored(fingerprint));
    }

    private Path systemKey(TrustScope scope, String fingerprint, byte[] content) throws IOException {
        Path dir = scope.isRoot() ? paths.systemConfigDir().resolve("trustedkeys/root.d")
                : paths.systemConfigDir().resolve("trustedkeys/prefix.d").resolve(scope.prefix());
        Files.createDirectories(dir);
        return Files.write(dir.resolve(fingerprint.toLowerCase(Locale.ROOT)), content);
    }

    private static void assertContains(String needle, String message) {
        assertTrue("expected '" + needle + "' in: " + message, message.contains(needle));
    }

    private static void deleteTree(Path root) throws IOException {
        if (root != null) {
            FileTree.delete(root);
        }
    }

    // ------------------------------------------------------------------ the key store

    @Test
    public void trustStoresTheKeyArmoredWithMode0644InRktsLayout() throws Exception {
        List<TrustedKey> stored = store.trust(paths, TrustScope.prefix("example.com/app"), GPG.exportBinary(alice, scratch));

        assertEquals(1, stored.size());
        Path file = paths.localConfigDir().resolve("trustedkeys/prefix.d/example.com/app/" + alice.toLowerCase(Locale.ROOT));
        assertEquals(file, stored.get(0).file());
        assertEquals(alice, stored.get(0).key().fingerprint());
        assertEquals(TrustedKey.Origin.LOCAL, stored.get(0).origin());
        assertTrue(Files.readString(file).startsWith("-----BEGIN PGP PUBLIC KEY BLOCK-----"));
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        try (Stream<Path> left = Files.list(file.getParent())) {
            assertEquals("no temporary file left", List.of(file), left.toList());
        }

        store.trust(paths, TrustScope.root(), GPG.exportArmored(bob));
        assertTrue(Files.isRegularFile(paths.localConfigDir().resolve("trustedkeys/root.d/" + bob.toLowerCase(Locale.ROOT))));
    }

    @Test
    public void readShowsFingerprintsUserIdsAndSubkeysWithoutTrustingAnything() throws Exception {
        List<OpenPgpKey> read = store.read(GPG.exportArmored(carol));
        assertEquals(1, read.size());
        OpenPgpKey key = read.get(0);
        assertEquals(carol, key.fingerprint());
        assertEquals(List.of("Carol <carol@example.com>"), key.userIds());
        assertEquals(List.of(carolSubkey), key.subkeyFingerprints());
        assertNull(key.expires());
        assertFalse(key.revoked());
        assertEquals(List.of(), store.list(paths));
        assertFalse(Files.exists(paths.localConfigDir()));
    }

    @Test
    public void listShowsLocalAndSystemKeysByScope() throws Exception {
        trust(TrustScope.prefix("example.com/app"), alice);
        systemKey(TrustScope.root(), bob, GPG.exportArmored(bob));

        List<TrustedKey> listed = store.list(paths);

        assertEquals(2, listed.size());
        assertTrue(listed.get(0).scope().isRoot());
        assertEquals(bob, listed.get(0).key().fingerprint());
        assertEquals(TrustedKey.Origin.SYSTEM, listed.get(0).origin());
        assertEquals("example.com/app", listed.get(1).scope().prefix());
        assertEquals(TrustedKey.Origin.LOCAL, listed.get(1).origin());
        assertEquals("Alice <alice@example.com>", listed.get(1).key().userId());
    }

    @Test
    public void refusesKeyFilesThatHoldNoPublicKey() throws Exception {
        BosunException secret = assertThrows(BosunException.class,
                () -> store.trust(paths, TrustScope.root(), GPG.exportSecret(bob)));
        assertContains("secret key", secret.getMessage());
        BosunException garbage = assertThrows(BosunException.class,
                () -> store.trust(paths, TrustScope.root(), "not a key\n".getBytes(StandardCharsets.UTF_8)));
        assertEquals(ErrorKind.INVALID_ARGUMENT, garbage.kind());
        BosunException signature = assertThrows(BosunException.class,
                () -> store.trust(paths, TrustScope.root(), Files.readAllBytes(byBob)));
        assertContains("not a public key", signature.getMessage());
        assertFalse("nothing written", Files.exists(paths.localConfigDir()));
    }

    @Test
    public void refusesToTrustExpiredAndRevokedKeys() throws Exception {
        BosunException expired = assertThrows(BosunException.class,
                () -> store.trust(paths, TrustScope.root(), GPG.exportArmored(dave)));
        assertContains("expired", expired.getMessage());
        assertContains(dave, expired.getMessage());
        BosunException revoked = assertThrows(BosunException.class,
                () -> store.trust(paths, TrustScope.root(), GPG.exportArmored(eve)));
        assertContains("revoked", revoked.getMessage());
        assertFalse("nothing written", Files.exists(paths.localConfigDir()));
    }

    @Test
    public void removingALocalKeyDeletesItsFileAndEmptyPrefixDirectories() throws Exception {
        trust(TrustScope.prefix("example.com/app"), alice);
        trust(TrustScope.prefix("example.com/other"), bob);

        TrustedKey removed = store.remove(paths, TrustScope.prefix("example.com/app/"), alice.toLowerCase(Locale.ROOT));

        assertEquals(alice, removed.key().fingerprint());
        assertFalse(Files.exists(paths.localConfigDir().resolve("trustedkeys/prefix.d/example.com/app")));
        assertTrue(Files.exists(paths.localConfigDir().resolve("trustedkeys/prefix.d/example.com/other")));
        assertEquals(List.of(bob), store.list(paths).stream().map(k -> k.key().fingerprint()).toList());
        assertEquals(ErrorKind.FAILED_PRECONDITION, refusal("example.com/app", byAlice).kind());
    }

    @Test
    public void removingASystemKeyShadowsItWithAnEmptyLocalFile() throws Exception {
        systemKey(TrustScope.prefix("example.com/app"), alice, GPG.exportArmored(alice));
        verify("example.com/app", byAlice);

        TrustedKey removed = store.remove(paths, TrustScope.prefix("example.com/app"), alice);

        assertEquals(TrustedKey.Origin.SYSTEM, removed.origin());
        Path shadow = paths.localConfigDir().resolve("trustedkeys/prefix.d/example.com/app/" + alice.toLowerCase(Locale.ROOT));
        assertEquals(0, Files.size(shadow));
        assertTrue("the system file stays", Files.size(removed.file()) > 0);
        assertEquals(List.of(), store.list(paths));
        assertContains("not trusted", refusal("example.com/app", byAlice).getMessage());
    }

    @Test
    public void removingAKeyThatIsNotTrustedForTheScopeIsNotFound() throws Exception {
        trust(TrustScope.prefix("example.com/app"), alice);
        BosunException e = assertThrows(BosunException.class, () -> store.remove(paths, TrustScope.root(), alice));
        assertEquals(ErrorKind.NOT_FOUND, e.kind());
        assertContains(alice, e.getMessage());
        BosunException typo = assertThrows(BosunException.class, () -> store.remove(paths, TrustScope.root(), "abc"));
        assertEquals(ErrorKind.INVALID_ARGUMENT, typo.kind());
    }

    // ------------------------------------------------------------------ which keys count for which names

    @Test
    public void aPrefixKeyVerifiesImagesWithThatNameAndBelowIt() throws Exception {
        trust(TrustScope.prefix("example.com/app"), alice);

        Signer signer = verify("example.com/app", byAlice);
        assertEquals(alice, signer.key().fingerprint());
        assertEquals(alice, signer.signingKeyFingerprint());
        assertEquals("Alice <alice@example.com>", signer.key().userId());
        assertEquals(TrustScope.prefix("example.com/app"), signer.scope());
        assertEquals(alice, verify("example.com/app/worker", byAlice).key().fingerprint());
    }

    @Test
    public void aPrefixKeyDoesNotCoverANameThatOnlySharesItsLetters() throws Exception {
        trust(TrustScope.prefix("example.com/app"), alice);

        BosunException e = refusal("example.com/apple", byAlice);

        assertEquals(ErrorKind.FAILED_PRECONDITION, e.kind());
        assertContains(alice, e.getMessage());
        assertContains("Alice <alice@example.com>", e.getMessage());
        assertContains("only for prefix example.com/app", e.getMessage());
        assertContains("bosun trust --prefix=example.com/apple KEYFILE", e.getMessage());
        assertContains("not trusted", refusal("example.com", byAlice).getMessage());
    }

    @Test
    public void aRootKeyVerifiesEveryImage() throws Exception {
        trust(TrustScope.root(), bob);
        assertEquals(TrustScope.root(), verify("example.com/app", byBob).scope());
        assertEquals(bob, verify("other.org/x", byBob).key().fingerprint());
    }

    @Test
    public void anUntrustedSignerIsNamedByFingerprintWithTheCommandThatTrustsIt() throws Exception {
        BosunException e = refusal("example.com/app", byBob);
        assertEquals(ErrorKind.FAILED_PRECONDITION, e.kind());
        assertEquals("image " + image + " is signed by key " + bob + ", which is not trusted for example.com/app;"
                + " if you trust that key, run 'bosun trust --prefix=example.com/app KEYFILE' with its public key file",
                e.getMessage());
    }

    @Test
    public void aSignatureByAnotherKeyThanTheTrustedOneIsRefused() throws Exception {
        trust(TrustScope.prefix("example.com/app"), alice);
        BosunException e = refusal("example.com/app", byBob);
        assertContains(bob, e.getMessage());
        assertContains("not trusted for example.com/app", e.getMessage());
    }

    @Test
    public void systemKeysAreTrustedAndALocalKeyFileOfTheSameFingerprintWins() throws Exception {
        systemKey(TrustScope.prefix("example.com"), eve, eveBeforeRevocation);
        assertEquals(eve, verify("example.com/app", byEve).key().fingerprint());

        // The local configuration holds the same key as it is now: revoked.
        Path local = paths.localConfigDir().resolve("trustedkeys/prefix.d/example.com");
        Files.createDirectories(local);
        Files.write(local.resolve(eve.toLowerCase(Locale.ROOT)), GPG.exportArmored(eve));

        BosunException e = refusal("example.com/app", byEve);
        assertContains("revoked", e.getMessage());
    }

    @Test
    public void anEmptyLocalFileWithdrawsTheTrustASystemFileGives() throws Exception {
        systemKey(TrustScope.root(), bob, GPG.exportArmored(bob));
        Path local = Files.createDirectories(paths.localConfigDir().resolve("trustedkeys/root.d"));
        Files.write(local.resolve(bob.toLowerCase(Locale.ROOT)), new byte[0]);
        assertContains("not trusted", refusal("example.com/app", byBob).getMessage());
    }

    // ------------------------------------------------------------------ what makes a signature good

    @Test
    public void binarySignaturesAndSigningSubkeysVerify() throws Exception {
        trust(TrustScope.root(), alice);
        trust(TrustScope.root(), carol);
        assertEquals(alice, verify("example.com/app", byAliceBinary).key().fingerprint());
        Signer signer = verify("example.com/app", byCarol);
        assertEquals(carol, signer.key().fingerprint());
        assertEquals(carolSubkey, signer.signingKeyFingerprint());
    }

    @Test
    public void changedContentIsABadSignature() throws Exception {
        trust(TrustScope.prefix("example.com/app"), alice);
        byte[] changed = Files.readAllBytes(image);
        changed[1000] ^= 1;
        BosunException e = assertThrows(BosunException.class, () -> {
            try (InputStream sig = Files.newInputStream(byAlice)) {
                store.verify(paths, "example.com/app", "image x.aci", new ByteArrayInputStream(changed), sig);
            }
        });
        assertEquals(ErrorKind.INVALID_ARGUMENT, e.kind());
        assertEquals("image x.aci does not match its signature by key " + alice + " (Alice <alice@example.com>): the"
                + " image or its signature was changed or damaged; fetch both again", e.getMessage());
    }

    @Test
    public void aSignatureFileWithoutASignatureIsRefused() throws Exception {
        trust(TrustScope.root(), alice);
        Path empty = Files.write(scratch.resolve("empty.asc"), new byte[0]);
        assertContains("no OpenPGP signature", refusal("example.com/app", empty).getMessage());
        Path garbage = Files.writeString(scratch.resolve("garbage.asc"), "-----BEGIN PGP SIGNATURE-----\n\nxx\n");
        assertContains("signature file", refusal("example.com/app", garbage).getMessage());
        Path key = Files.write(scratch.resolve("key.asc"), GPG.exportArmored(alice));
        assertContains("not a detached signature", refusal("example.com/app", key).getMessage());
    }

    @Test
    public void anExpiredKeyIsRefused() throws Exception {
        systemKey(TrustScope.root(), dave, GPG.exportArmored(dave));
        BosunException e = refusal("example.com/app", byDave);
        assertEquals(ErrorKind.FAILED_PRECONDITION, e.kind());
        assertContains("expired on 2020-01-02", e.getMessage());
        assertContains(dave, e.getMessage());
    }

    @Test
    public void aRevokedKeyIsRefused() throws Exception {
        systemKey(TrustScope.root(), eve, GPG.exportArmored(eve));
        BosunException e = refusal("example.com/app", byEve);
        assertContains("key " + eve + " (Eve <eve@example.com>), which its owner revoked", e.getMessage());
    }

    @Test
    public void aSha1SignatureIsRefused() throws Exception {
        trust(TrustScope.root(), alice);
        assertContains("weak hash SHA-1", refusal("example.com/app", byAliceSha1).getMessage());
    }

    @Test
    public void aKeyFileThatDoesNotHoldTheKeyItsNameSaysIsReported() throws Exception {
        systemKey(TrustScope.root(), bob, GPG.exportArmored(alice));
        BosunException e = refusal2("example.com/app", byBob);
        assertEquals(ErrorKind.FAILED_PRECONDITION, e.kind());
        assertContains("does not hold exactly the key its name says", e.getMessage());
    }

    private BosunException refusal2(String name, Path signature) {
        return assertThrows(BosunException.class, () -> verify(name, signature));
    }

    @Test
    public void anInvalidImageNameIsRefused() {
        BosunException e = assertThrows(BosunException.class, () -> verify("../etc", byAlice));
        assertEquals(ErrorKind.INVALID_ARGUMENT, e.kind());
    }
}
