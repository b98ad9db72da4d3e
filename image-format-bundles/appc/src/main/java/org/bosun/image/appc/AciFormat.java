package org.bosun.image.appc;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.bosun.api.BosunException;
import org.bosun.api.InsecureOption;
import org.bosun.api.RuntimePaths;
import org.bosun.api.image.BlobWriter;
import org.bosun.api.image.FetchOptions;
import org.bosun.api.image.ImageFormat;
import org.bosun.api.image.ImageFormatService;
import org.bosun.api.image.ImageManifest;
import org.bosun.api.image.ImageReference;
import org.bosun.api.image.ImageStore;
import org.bosun.api.image.Progress;
import org.bosun.api.image.StoredImage;
import org.bosun.api.trust.Signer;
import org.bosun.api.trust.TrustStore;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * App Container Images from local files. Images must be signed, as in rkt: an unsigned image is
 * refused unless the user passes {@code --insecure-options=image}, and a signed one is verified
 * with the keys the trust bundle's {@link TrustStore} trusts for the image's name.
 *
 * <p>As rkt does, the store keeps the ACI uncompressed: its blob is the tar whose SHA-512 is the
 * image id ({@code sha512-...}), and rendering extracts its {@code rootfs/} from that blob.
 */
@Component(service = ImageFormat.class)
@ImageFormatService(name = AciFormat.NAME, schemes = {"file"}, fileExtensions = {".aci"})
public final class AciFormat implements ImageFormat {
    static final String NAME = "appc";

    /** Optional: without a trust bundle only images fetched with --insecure-options=image can be read. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile TrustStore trust;

    @Override
    public StoredImage fetch(ImageReference reference, FetchOptions options, ImageStore store) {
        if (!reference.scheme().equals("file")) {
            throw BosunException.unavailable("appc images by " + reference.scheme() + " reference (" + reference
                    + ") need appc discovery, which this bundle does not provide yet; give a local .aci file");
        }
        Path file = Path.of(reference.location());
        String storedAs = "file://" + file;
        RuntimePaths paths = options.paths();
        return store.locked(paths, storedAs, () -> {
            if (options.pullPolicy().equals("never")) {
                return store.findByReference(paths, storedAs).orElseThrow(() -> BosunException.notFound("image "
                        + file + " is not in the store and --pull-policy=never forbids reading it; fetch it first"));
            }
            return fetchFile(file, storedAs, options, store);
        });
    }

    /** A local file is read again on every fetch: it is cheap, and the file may have changed. */
    private StoredImage fetchFile(Path file, String storedAs, FetchOptions options, ImageStore store) {
        if (!Files.isRegularFile(file)) {
            throw BosunException.notFound("image file " + file + " does not exist");
        }
        if (!Files.isReadable(file)) {
            throw BosunException.precondition("image file " + file + " is not readable by this user");
        }
        boolean verify = !options.insecureOptions().contains(InsecureOption.IMAGE);
        Path signature = file.resolveSibling(file.getFileName() + ".asc");
        TrustStore trustStore = verify ? trustStoreFor(file, signature) : null;
        // Pinned: the bytes scanned, verified and stored must be the same bytes.
        AciArchive archive = new AciArchive(file, true);
        AciArchive.Scan scan = archive.scan();
        ImageManifest manifest = AciManifest.parse(scan.manifest(), archive);
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("source", file.toString());
        if (verify) {
            Signer signer = verifySignature(trustStore, archive, signature, manifest.name(), options);
            metadata.put("signer", signer.signingKeyFingerprint());
        }
        String blob = storeTar(archive, scan.id(), options, store);
        return store.record(options.paths(), new StoredImage(scan.id(), manifest.name(), NAME, List.of(storedAs),
                manifest, List.of(blob), List.of(), metadata, null, null, 0));
    }

    /** Writes the uncompressed tar into the store; its digest must be the id the scan computed. */
    private static String storeTar(AciArchive archive, String id, FetchOptions options, ImageStore store) {
        try (BlobWriter writer = store.newBlob(options.paths());
                Progress.Task task = options.progress().task(archive.file().getFileName().toString(),
                        -1);
                InputStream tar = archive.decompressed()) {
            OutputStream out = writer.stream();
            byte[] buffer = new byte[1 << 16];
            int n;
            while ((n = tar.read(buffer)) > 0) {
                out.write(buffer, 0, n);
                task.advance(n);
            }
            tar.close();
            return writer.commit(id, "sha512");
        } catch (IOException e) {
            throw archive.refuse("cannot be stored: " + e.getMessage());
        }
    }

    @Override
    public void render(StoredImage image, ImageStore store, RuntimePaths paths, Path tree) {
        if (image.blobs().size() != 1) {
            throw BosunException.internal("appc image " + image.id() + " is recorded with " + image.blobs().size()
                    + " blobs instead of its one ACI", null);
        }
        String digest = image.blobs().get(0);
        Path blob = store.blob(paths, digest).orElseThrow(() -> BosunException.notFound("image " + image.id() + " ("
                + image.name() + ") lost its blob " + digest + "; run bosun image verify, then fetch it again"));
        String label = image.metadata().getOrDefault("source", image.name());
        new RootfsExtractor(new AciArchive(blob, label, false), tree).extract();
    }

    /**
     * The trust store that will verify a signed image, read once per operation: the trust bundle
     * can come, go or be updated between two operations.
     */
    private TrustStore trustStoreFor(Path file, Path signature) {
        if (!Files.exists(signature)) {
            throw BosunException.invalid("image " + file + " is not signed (no " + signature.getFileName()
                    + " beside it); run with --insecure-options=image to accept unsigned images");
        }
        TrustStore store = trust;
        if (store == null) {
            throw BosunException.unavailable("image " + file + " is signed, but verifying signatures needs the trust"
                    + " bundle (org.bosun.trust), which is not installed; run with --insecure-options=image to skip"
                    + " verification");
        }
        return store;
    }

    /**
     * As rkt: the detached signature covers the .aci file's bytes, and the keys are those trusted
     * for the manifest's name. The bytes verified must be the bytes scanned (and later stored).
     */
    private static Signer verifySignature(TrustStore store, AciArchive archive, Path signature, String name,
            FetchOptions options) {
        Path file = archive.file();
        MessageDigest sha512 = AciArchive.sha512();
        Signer signer;
        try (InputStream signed = new DigestInputStream(Files.newInputStream(file), sha512);
                InputStream sig = Files.newInputStream(signature)) {
            signer = store.verify(options.paths(), name, "image " + file, signed, sig);
            signed.transferTo(AciArchive.OutputNull.INSTANCE);
        } catch (IOException e) {
            throw BosunException.precondition("cannot read image " + file + " or its signature " + signature.getFileName()
                    + " (" + e.getMessage() + ")");
        }
        archive.checkContent(sha512.digest());
        return signer;
    }
}
