package org.bosun.image.appc;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import org.bosun.host.files.Scratch;
import org.bosun.api.BosunException;
import org.bosun.api.ErrorKind;
import org.bosun.api.InsecureOption;
import org.bosun.api.RuntimePaths;
import org.bosun.api.image.FetchOptions;
import org.bosun.api.image.ImageReference;
import org.bosun.api.trust.OpenPgpKey;
import org.bosun.api.trust.Signer;
import org.bosun.api.trust.TrustScope;
import org.bosun.api.trust.TrustStore;
import org.bosun.api.trust.TrustedKey;
import org.junit.Rule;
import org.junit.Test;

/**
 * How an ACI's signature reaches the trust store: the .aci file's bytes and the .aci.asc beside it,
 * for the manifest's name, with the caller's configuration; and that the bytes verified are the
 * bytes scanned and rendered.
 */
public class AciSignatureTest {
    private static final RuntimePaths PATHS = new RuntimePaths(Path.of("/d"), Path.of("/local"), Path.of("/system"));
    private static final FetchOptions SECURE = new FetchOptions(PATHS, Set.of(), "new");
    private static final OpenPgpKey KEY = new OpenPgpKey("AB".repeat(20), List.of("Test <t@example.com>"), List.of(),
            Instant.EPOCH, null, false);

    @Rule
    public final Scratch scratch = new Scratch();

    /** Records what it was asked and answers as told. */
    private static final class RecordingTrustStore implements TrustStore {
        RuntimePaths paths;
        String name;
        String subject;
        byte[] signed;
        byte[] signature;
        BosunException refusal;
        Runnable whileReading = () -> { };

        @Override
        public Signer verify(RuntimePaths paths, String imageName, String subject, InputStream signed, InputStream signature) {
            this.paths = paths;
            this.name = imageName;
            this.subject = subject;
            try {
                whileReading.run();
                this.signed = signed.readAllBytes();
                this.signature = signature.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            if (refusal != null) {
                throw refusal;
            }
            return new Signer(KEY, KEY.fingerprint(), TrustScope.root(), Instant.EPOCH);
        }

        @Override
        public List<OpenPgpKey> read(byte[] keyFile) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<TrustedKey> trust(RuntimePaths paths, TrustScope scope, byte[] keyFile) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<TrustedKey> list(RuntimePaths paths) {
            throw new UnsupportedOperationException();
        }

        @Override
        public TrustedKey remove(RuntimePaths paths, TrustScope scope, String fingerprint) {
            throw new UnsupportedOperationException();
        }

        @Override
        public org.bosun.api.trust.SignedMessage verifyMessage(RuntimePaths paths, String imageName, String subject,
                InputStream message, int maxPayload) {
            throw new UnsupportedOperationException();
        }
    }

    private final RecordingTrustStore trust = new RecordingTrustStore();

    private Path signedImage(String name) throws Exception {
        Path file = new Aci().manifest(Aci.manifestJson(name)).dir("rootfs", 0755, 0, 0).file("rootfs/hello", "hello\n")
                .writeTo(scratch.root().resolve("images/app.aci"), Aci.Compression.GZIP);
        Files.writeString(file.resolveSibling("app.aci.asc"), "-----BEGIN PGP SIGNATURE-----\nsig\n");
        return file;
    }

    private StoreFixture.Fetched open(Path file, FetchOptions options) {
        AciFormat format = new AciFormat();
        format.trust = trust;
        return new StoreFixture(scratch.root().resolve("data")).fetch(format, file, options);
    }

    @Test
    public void aSignedImageIsVerifiedForItsManifestNameOverTheAciFilesBytes() throws Exception {
        Path file = signedImage("example.com/busybox");

        StoreFixture.Fetched source = open(file, SECURE);

        assertEquals("example.com/busybox", source.manifest().name());
        assertEquals("example.com/busybox", trust.name);
        assertEquals(PATHS.localConfigDir(), trust.paths.localConfigDir());
        assertEquals(PATHS.systemConfigDir(), trust.paths.systemConfigDir());
        assertEquals("image " + file, trust.subject);
        assertArrayEquals(Files.readAllBytes(file), trust.signed);
        assertEquals("-----BEGIN PGP SIGNATURE-----\nsig\n", new String(trust.signature, StandardCharsets.UTF_8));
        Path rootfs = scratch.root().resolve("rootfs");
        Files.createDirectories(rootfs);
        source.render(rootfs);
        assertEquals("hello\n", Files.readString(rootfs.resolve("hello")));
    }

    @Test
    public void aSignatureFileGivenWithTheImageVerifiesItInsteadOfTheOneBesideIt() throws Exception {
        Path file = signedImage("example.com/busybox");
        Files.delete(file.resolveSibling("app.aci.asc"));
        Path elsewhere = Files.createDirectories(scratch.root().resolve("sigs")).resolve("given.sig");
        Files.writeString(elsewhere, "-----BEGIN PGP SIGNATURE-----\ngiven\n");
        open(file, new FetchOptions(PATHS, Set.of(), "new", null, elsewhere));
        assertEquals("example.com/busybox", trust.name);
        assertArrayEquals(Files.readAllBytes(file), trust.signed);
        assertEquals("-----BEGIN PGP SIGNATURE-----\ngiven\n", new String(trust.signature, StandardCharsets.UTF_8));

        Path missing = scratch.root().resolve("sigs/missing.sig");
        BosunException e = assertThrows(BosunException.class,
                () -> open(file, new FetchOptions(PATHS, Set.of(), "update", null, missing)));
        assertEquals(ErrorKind.NOT_FOUND, e.kind());
        assertEquals("signature file " + missing + " does not exist", e.getMessage());
    }

    @Test
    public void theTrustStoresRefusalRefusesTheImage() throws Exception {
        Path file = signedImage("example.com/busybox");
        trust.refusal = BosunException.precondition("image " + file + " is signed by key X, which is not trusted");
        BosunException e = assertThrows(BosunException.class, () -> open(file, SECURE));
        assertEquals(trust.refusal, e);
    }

    @Test
    public void insecureOptionImageSkipsVerification() throws Exception {
        Path file = signedImage("example.com/busybox");
        trust.refusal = BosunException.invalid("must not be asked");
        open(file, new FetchOptions(PATHS, EnumSet.of(InsecureOption.IMAGE), "new"));
        assertEquals(null, trust.name);
    }

    @Test
    public void anUnsignedImageIsRefusedBeforeTheTrustStoreIsAsked() throws Exception {
        Path file = signedImage("example.com/busybox");
        Files.delete(file.resolveSibling("app.aci.asc"));
        BosunException e = assertThrows(BosunException.class, () -> open(file, SECURE));
        assertEquals(ErrorKind.INVALID_ARGUMENT, e.kind());
        assertTrue(e.getMessage(), e.getMessage().contains("--insecure-options=image"));
        assertEquals(null, trust.name);
    }

    @Test
    public void anImageChangedBetweenItsScanAndItsVerificationIsRefused() throws Exception {
        Path file = signedImage("example.com/busybox");
        byte[] other = Files.readAllBytes(new Aci().manifest(Aci.manifestJson("example.com/busybox")).dir("rootfs", 0755, 0, 0)
                .file("rootfs/hello", "evil\n").writeTo(scratch.root().resolve("other.aci"), Aci.Compression.GZIP));
        trust.whileReading = () -> {
            try {
                Files.write(file, other);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
        BosunException e = assertThrows(BosunException.class, () -> open(file, SECURE));
        assertEquals(ErrorKind.FAILED_PRECONDITION, e.kind());
        assertTrue(e.getMessage(), e.getMessage().contains("changed while bosun was reading it"));
    }

    @Test
    public void anImageChangedAfterItsFetchStillRendersTheVerifiedBytes() throws Exception {
        Path file = signedImage("example.com/busybox");
        StoreFixture.Fetched source = open(file, SECURE);
        Path other = new Aci().manifest(Aci.manifestJson("example.com/busybox")).dir("rootfs", 0755, 0, 0)
                .file("rootfs/hello", "evil\n").writeTo(scratch.root().resolve("other.aci"), Aci.Compression.GZIP);
        Files.write(file, Files.readAllBytes(other));
        Path rootfs = Files.createDirectories(scratch.root().resolve("rootfs"));
        source.render(rootfs);
        assertEquals("the store renders what was verified", "hello\n", Files.readString(rootfs.resolve("hello")));
    }
    @Test
    public void anUnchangedSignedFileIsVerifiedAgainOnEveryFetch() throws Exception {
        Path file = signedImage("example.com/busybox");
        String id = open(file, SECURE).id();
        trust.signed = null;

        assertEquals(id, open(file, SECURE).id());
        assertArrayEquals("verified over the file's bytes again", Files.readAllBytes(file), trust.signed);

        trust.refusal = BosunException.invalid("key no longer trusted");
        BosunException e = assertThrows(BosunException.class, () -> open(file, SECURE));
        assertEquals("a key no longer trusted refuses the stored image too", "key no longer trusted", e.getMessage());
    }
}
