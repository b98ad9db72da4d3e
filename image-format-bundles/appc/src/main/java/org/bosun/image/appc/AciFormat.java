package org.bosun.image.appc;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;

import org.bosun.api.BosunException;
import org.bosun.api.InsecureOption;
import org.bosun.api.image.FetchOptions;
import org.bosun.api.image.ImageFormat;
import org.bosun.api.image.ImageFormatService;
import org.bosun.api.image.ImageManifest;
import org.bosun.api.image.ImageReference;
import org.bosun.api.image.ImageSource;
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
 */
@Component(service = ImageFormat.class)
@ImageFormatService(name = "appc", schemes = {"file"}, fileExtensions = {".aci"})
public final class AciFormat implements ImageFormat {

    /** Optional: without a trust bundle only images opened with --insecure-options=image can be read. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile TrustStore trust;

    @Override
    public ImageSource open(ImageReference reference, FetchOptions options) {
        if (!reference.scheme().equals("file")) {
            throw BosunException.unavailable("appc images by " + reference.scheme() + " reference (" + reference
                    + ") need discovery and the image store, which this bundle does not provide yet; give a local .aci file");
        }
        Path file = Path.of(reference.location());
        if (!Files.isRegularFile(file)) {
            throw BosunException.notFound("image file " + file + " does not exist");
        }
        if (!Files.isReadable(file)) {
            throw BosunException.precondition("image file " + file + " is not readable by this user");
        }
        boolean verify = !options.insecureOptions().contains(InsecureOption.IMAGE);
        Path signature = file.resolveSibling(file.getFileName() + ".asc");
        TrustStore trustStore = verify ? trustStoreFor(file, signature) : null;
        AciArchive archive = new AciArchive(file, verify);
        AciArchive.Scan scan = archive.scan();
        ImageManifest manifest = AciManifest.parse(scan.manifest(), archive);
        if (verify) {
            verifySignature(trustStore, archive, signature, manifest.name(), options);
        }
        return new ImageSource() {
            @Override
            public String id() {
                return scan.id();
            }

            @Override
            public ImageManifest manifest() {
                return manifest;
            }

            @Override
            public void render(Path rootfs) {
                new RootfsExtractor(archive, rootfs).extract();
            }
        };
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
     * for the manifest's name. The bytes verified must be the bytes scanned (and later rendered).
     */
    private static void verifySignature(TrustStore store, AciArchive archive, Path signature, String name,
            FetchOptions options) {
        Path file = archive.file();
        MessageDigest sha512 = AciArchive.sha512();
        try (InputStream signed = new DigestInputStream(Files.newInputStream(file), sha512);
                InputStream sig = Files.newInputStream(signature)) {
            store.verify(options.paths(), name, "image " + file, signed, sig);
            signed.transferTo(AciArchive.OutputNull.INSTANCE);
        } catch (IOException e) {
            throw BosunException.precondition("cannot read image " + file + " or its signature " + signature.getFileName()
                    + " (" + e.getMessage() + ")");
        }
        archive.checkContent(sha512.digest());
    }
}
