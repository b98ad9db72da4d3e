package org.bosun.image.oci;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.bosun.api.BosunException;
import org.bosun.api.InsecureOption;
import org.bosun.api.RuntimePaths;
import org.bosun.api.image.FetchOptions;
import org.bosun.api.image.ImageFormat;
import org.bosun.api.image.ImageFormatService;
import org.bosun.api.image.ImageManifest;
import org.bosun.api.image.ImageReference;
import org.bosun.api.image.ImageStore;
import org.bosun.api.image.StoredImage;
import org.bosun.api.trust.TrustStore;
import org.bosun.host.files.FileTree;
import org.bosun.image.oci.model.Descriptor;
import org.bosun.image.oci.model.Documents;
import org.bosun.image.oci.model.ImageConfig;
import org.bosun.image.oci.model.ImageConfigMapping;
import org.bosun.image.oci.model.Platform;
import org.bosun.image.oci.signing.SimpleSigning;
import org.bosun.image.oci.layers.StagedBlobs;
import org.bosun.image.oci.layers.StoredImages;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * Images from local files: OCI image layouts ({@code oci:DIR[:REF]}), tars of them
 * ({@code oci-archive:FILE[:REF]}) and {@code docker save} tarballs ({@code docker-archive:FILE[:REPO:TAG]}),
 * REF being the {@code org.opencontainers.image.ref.name} of the image in the layout's index. As
 * with skopeo, the path ends at the first colon.
 * <p>
 * Verified by default: a simple signature of the manifest digest must be in the lookaside store
 * ({@code sigstore.d}) of the repository the archive names, or, when it names none, in a
 * {@code file:} store that has signatures of that digest.
 */
@Component(service = ImageFormat.class)
@ImageFormatService(name = "oci", schemes = {"oci", "oci-archive", "docker-archive"})
public final class OciFormat implements ImageFormat {

    /** Optional: without a trust bundle only images fetched with --insecure-options=image can be read. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile TrustStore trust;

    @Override
    public StoredImage fetch(ImageReference reference, FetchOptions options, ImageStore store) {
        RuntimePaths paths = options.paths();
        String location = reference.location();
        int colon = location.indexOf(':');
        Path file = Path.of(colon < 0 ? location : location.substring(0, colon));
        String ref = colon < 0 || colon == location.length() - 1 ? null : location.substring(colon + 1);
        String canonical = reference.scheme() + ":" + location;
        String subject = "image " + canonical;
        if (!file.isAbsolute()) {
            throw BosunException.invalid(subject + " names the relative path " + file + "; give an absolute path");
        }
        return store.locked(paths, canonical, () -> {
            if (options.pullPolicy().equals("never")) {
                return store.findByReference(paths, canonical).orElseThrow(() -> BosunException.notFound(subject
                        + " is not in the store, and the pull policy 'never' does not read it; fetch it first"));
            }
            if (!Files.exists(file)) {
                throw BosunException.notFound(subject + ": " + file + " does not exist");
            }
            return switch (reference.scheme()) {
                case "oci" -> store(new OciLayout(file, subject).image(ref), canonical, subject, options, store);
                case "oci-archive" -> unpacked(file, subject, dir -> store(new OciLayout(dir, subject).image(ref),
                        canonical, subject, options, store));
                case "docker-archive" -> unpacked(file, subject, (dir, archive) -> store(
                        new DockerArchive(archive, dir, subject).image(ref), canonical, subject, options, store));
                default -> throw BosunException.invalid(subject + " has the scheme " + reference.scheme()
                        + ", which the oci format does not serve");
            };
        });
    }

    @Override
    public void render(StoredImage image, ImageStore store, RuntimePaths paths, Path tree) {
        StoredImages.render(image, store, paths, tree);
    }

    private StoredImage store(LocalImage image, String canonical, String subject, FetchOptions options, ImageStore store) {
        ImageConfig config = Documents.config(image.config(), subject + "'s config");
        Platform host = Platform.host();
        if (config.os() != null && config.architecture() != null && !host.runs(config.platform())) {
            throw BosunException.invalid(subject + " is built for " + config.platform() + ", and this host runs " + host);
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        String name;
        if (options.insecureOptions().contains(InsecureOption.IMAGE)) {
            name = image.names().isEmpty() ? localName(canonical) : image.names().get(0).repository();
        } else {
            SimpleSigning.Verified verified = SimpleSigning.verifyLocal(trust, options.paths(), image.names(),
                    image.manifestDigest(), subject);
            name = verified.identity().repository();
            metadata.put(StoredImages.SIGNED_BY, verified.signer().key().fingerprint());
            metadata.put(StoredImages.SIGNED_IDENTITY, verified.identity().toString());
        }
        RuntimePaths paths = options.paths();
        // Every layer is checked as it is copied; the store gets the image's blobs only if all pass.
        try (StagedBlobs blobs = new StagedBlobs(store, paths, subject)) {
            blobs.add(image.manifest().config().digest(), image.config(), "the config "
                    + image.manifest().config().digest() + " of " + subject);
            List<StagedBlobs.Layer> layers = new ArrayList<>();
            for (Descriptor layer : image.manifest().layers()) {
                layers.add(new StagedBlobs.Layer(layer.digest(), layer.size(), "layer " + layer.digest() + " of " + subject,
                        () -> Files.newInputStream(image.blobFile().apply(layer.digest()))));
            }
            // Several at a time: hashing and checking a layer is CPU work, which the cores share.
            blobs.addLayers(layers, options.progress(), StagedBlobs.PARALLEL_LAYERS,
                    (layer, e) -> BosunException.precondition("cannot read " + layer.what() + " (" + e.getMessage() + ")"));
            blobs.commit();
        }
        ImageManifest manifest = ImageConfigMapping.toManifest(name, image.tag(), config, subject);
        return store.record(paths, StoredImages.image(image.manifestDigest(), name, "oci", List.of(canonical), manifest,
                image.mediaType(), image.manifest(), metadata));
    }

    /** A name for an image whose archive names none: its file name, as an image name. */
    static String localName(String canonical) {
        String path = canonical.substring(canonical.indexOf(':') + 1);
        int colon = path.indexOf(':');
        String base = Path.of(colon < 0 ? path : path.substring(0, colon)).getFileName().toString();
        base = base.replaceFirst("\\.(tar|tar\\.gz|tgz)$", "").toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-")
                .replaceAll("^-+|-+$", "");
        return "localhost/" + (base.isEmpty() ? "image" : base);
    }

    private interface InArchive {
        StoredImage read(Path dir, ArchiveExtractor archive);
    }

    private interface InLayout {
        StoredImage read(Path dir);
    }

    private static StoredImage unpacked(Path file, String subject, InLayout work) {
        return unpacked(file, subject, (dir, archive) -> work.read(dir));
    }

    /** Unpacks the archive into a private scratch directory that is removed whatever happens. */
    private static StoredImage unpacked(Path file, String subject, InArchive work) {
        Path scratch;
        try {
            scratch = Files.createTempDirectory("bosun-archive-", PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rwx------")));
        } catch (IOException e) {
            throw BosunException.unavailable("cannot make a scratch directory to read " + subject + " (" + e.getMessage() + ")");
        }
        try {
            ArchiveExtractor archive = new ArchiveExtractor(subject, scratch);
            archive.extract(file);
            return work.read(scratch, archive);
        } finally {
            FileTree.deleteQuietly(scratch); // best effort: a scratch directory is no image and holds no secret
        }
    }
}
