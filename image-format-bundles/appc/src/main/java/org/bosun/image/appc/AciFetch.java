package org.bosun.image.appc;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

import org.bosun.api.BosunException;
import org.bosun.api.ErrorKind;
import org.bosun.api.InsecureOption;
import org.bosun.api.RuntimePaths;
import org.bosun.api.image.BlobWriter;
import org.bosun.api.image.FetchOptions;
import org.bosun.api.image.ImageManifest;
import org.bosun.api.image.ImageReference;
import org.bosun.api.image.ImageStore;
import org.bosun.api.image.Progress;
import org.bosun.api.image.StoredImage;
import org.bosun.api.trust.Signer;
import org.bosun.api.trust.TrustStore;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * One fetch of an ACI and its dependencies: from a local file, an {@code https://} URL, or a name
 * found by appc discovery. Every image is verified (unless {@code --insecure-options=image}) before
 * anything it names is fetched, and recorded in the store only after its dependencies are, so a
 * fetch killed at any point leaves no half image visible.
 */
final class AciFetch {
    static final int MAX_SIGNATURE_BYTES = 1 << 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final FetchOptions options;
    private final ImageStore store;
    private final TrustStore trust;
    private final RuntimePaths paths;
    private final boolean verify;
    /** The names being fetched, outermost first: a dependency among them is a loop. */
    private final LinkedHashSet<String> chain = new LinkedHashSet<>();
    private Discovery discovery;
    private HttpSource http;

    AciFetch(FetchOptions options, ImageStore store, TrustStore trust) {
        this.options = options;
        this.store = store;
        this.trust = trust;
        this.paths = options.paths();
        this.verify = !options.insecureOptions().contains(InsecureOption.IMAGE);
    }

    StoredImage fetch(ImageReference reference) {
        return switch (reference.scheme()) {
            case "file" -> file(Path.of(reference.location()));
            case "https", "http" -> url(toUri(reference.location()));
            case "appc" -> named(AppcName.parse(reference.location()), null, options.signature());
            default -> throw BosunException.invalid("the appc format does not read " + reference.scheme() + " references ("
                    + reference + ")");
        };
    }

    // ------------------------------------------------------------------ sources

    private StoredImage file(Path file) {
        String storedAs = "file://" + file;
        return store.locked(paths, storedAs, () -> {
            // As rkt: a file named on the command line is always read, whatever the pull policy.
            if (!Files.isRegularFile(file)) {
                throw BosunException.notFound("image file " + file + " does not exist");
            }
            if (!Files.isReadable(file)) {
                throw BosunException.precondition("image file " + file + " is not readable by this user");
            }
            Path signature = file.resolveSibling(file.getFileName() + ".asc");
            Supplier<byte[]> readSignature = () -> {
                if (options.signature() != null) {
                    return signatureFile(options.signature());
                }
                if (!Files.exists(signature)) {
                    throw BosunException.invalid("image " + file + " is not signed (no " + signature.getFileName()
                            + " beside it); run with --insecure-options=image to accept unsigned images");
                }
                return signatureFile(signature);
            };
            SourceFile source;
            try {
                // Taken before any read: a write during the import changes the file's times after this.
                source = SourceFile.stat(file);
            } catch (IOException e) {
                throw BosunException.precondition("cannot read image file " + file + " (" + e.getMessage() + ")");
            }
            if (!options.pullPolicy().equals("update")) {
                StoredImage unchanged = storedUnchanged(file, storedAs, source, readSignature);
                if (unchanged != null) {
                    return unchanged;
                }
            }
            return importAci(new AciArchive(file, true), null, file.toString(), readSignature, storedAs, null,
                    Map.of("source", file.toString()), source);
        });
    }

    /**
     * The image stored from {@code file}, when the file is the one imported (see {@link SourceFile})
     * and the image's blob is still stored: pull policy {@code new} then reads none of an unsigned
     * image's bytes. A signed image is verified again (the keys trusted may have changed), over
     * bytes that must be those imported. Null when the file must be imported.
     */
    private StoredImage storedUnchanged(Path file, String storedAs, SourceFile now, Supplier<byte[]> signature) {
        StoredImage image = store.findByReference(paths, storedAs).orElse(null);
        if (image == null || image.blobs().size() != 1 || store.blob(paths, image.blobs().get(0)).isEmpty()) {
            return null;
        }
        SourceFile imported = SourceFile.parse(image.metadata().get(SourceFile.key(file)));
        if (imported == null || !imported.sameFile(now)) {
            return null;
        }
        if (verify) {
            byte[] sig = signature.get();
            AciArchive archive = new AciArchive(file, true);
            verifySignature(trustStore(file.toString()), archive, file.toString(), sig, image.name());
            if (!imported.sha512().equals(java.util.HexFormat.of().formatHex(archive.contentDigest()))) {
                return null; // rewritten with the same times after all: import what was verified
            }
        }
        return image;
    }

    private StoredImage url(URI uri) {
        String storedAs = uri.toString();
        return store.locked(paths, storedAs, () -> {
            Optional<StoredImage> stored = store.findByReference(paths, storedAs);
            if (options.pullPolicy().equals("never") || (options.pullPolicy().equals("new") && stored.isPresent())) {
                return stored.orElseThrow(() -> BosunException.notFound("image " + uri + " is not in the store and"
                        + " --pull-policy=never forbids downloading it; fetch it first"));
            }
            return download(uri, URI.create(uri + ".asc"), storedAs, null, options.signature());
        });
    }

    /**
     * An image by name: from the store when the policy allows and one matches, else by discovery.
     * {@code imageId}, when given (a dependency's), must be the id of what is fetched.
     */
    private StoredImage named(AppcName name, String imageId, Path localSignature) {
        String storedAs = name.reference();
        return store.locked(paths, storedAs, () -> {
            if (!options.pullPolicy().equals("update")) {
                Optional<StoredImage> stored = imageId != null ? store.find(paths, imageId).filter(i -> i.id().equals(imageId))
                        : store.findByReference(paths, storedAs).or(() -> storedByName(name));
                if (stored.isPresent()) {
                    return stored.get();
                }
                if (options.pullPolicy().equals("never")) {
                    throw BosunException.notFound("image " + name + (imageId == null ? "" : " (" + imageId + ")")
                            + " is not in the store and --pull-policy=never forbids discovering it; fetch it first");
                }
            }
            List<Discovery.Endpoint> endpoints = discovery().images(name.name(), name.labels());
            BosunException last = null;
            for (Discovery.Endpoint endpoint : endpoints) {
                try {
                    StoredImage image = download(endpoint.aci(), endpoint.signature(), storedAs, name, localSignature);
                    if (imageId != null && !image.id().equals(imageId)) {
                        throw BosunException.precondition("image " + endpoint.aci() + " has the id " + image.id()
                                + ", but " + imageId + " was asked for; the publisher replaced the image");
                    }
                    return image;
                } catch (BosunException e) {
                    // Another template may name a mirror that has it; any other failure is final.
                    if (e.kind() != ErrorKind.NOT_FOUND && e.kind() != ErrorKind.UNAVAILABLE) {
                        throw e;
                    }
                    last = e;
                }
            }
            throw last;
        });
    }

    /**
     * The newest stored ACI whose name and labels are what {@code name} asks for, however it came
     * into the store (a file, a URL): as rkt, an image (or a dependency) already stored is used,
     * and discovery is only for what is missing.
     */
    private Optional<StoredImage> storedByName(AppcName name) {
        return store.list(paths).stream()
                .filter(i -> AciFormat.NAME.equals(i.format()) && i.manifest() != null)
                .filter(i -> name.mismatch(i.manifest().name(), i.manifest().labels()) == null)
                .max(java.util.Comparator.comparing(StoredImage::importTime,
                        java.util.Comparator.nullsFirst(java.util.Comparator.naturalOrder())));
    }

    /**
     * Downloads the signature, then the ACI into a blob, and imports the blob. The ACI's entries
     * are checked as it arrives: a refused image is not committed, so it leaves nothing in the store.
     */
    /** @param localSignature the {@code --signature} file that replaces {@code signature}, or null */
    private StoredImage download(URI aci, URI signature, String storedAs, AppcName expected, Path localSignature) {
        byte[] sig = !verify ? null : localSignature != null ? signatureFile(localSignature) : signature(aci, signature);
        String downloaded;
        AciArchive.Scan scan;
        try (BlobWriter writer = store.newBlob(paths)) {
            String label = aci.getPath().substring(aci.getPath().lastIndexOf('/') + 1);
            AciArchive arriving = new AciArchive(null, aci.toString(), false);
            scan = http().download(aci, "image " + aci, writer.stream(), options.progress(),
                    label.isEmpty() ? aci.toString() : label, arriving::scan);
            downloaded = writer.commit(null, "sha512");
        }
        Path blob = store.blob(paths, downloaded).orElseThrow(() -> BosunException.internal("the downloaded image "
                + aci + " vanished from the store (" + downloaded + ")", null));
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("source", aci.toString());
        return importAci(new AciArchive(blob, aci.toString(), true), scan, aci.toString(), () -> sig, storedAs, expected,
                metadata, null);
    }

    /** A detached signature on this host: beside the image, or the {@code --signature} file. */
    private static byte[] signatureFile(Path file) {
        try {
            if (Files.size(file) > MAX_SIGNATURE_BYTES) {
                throw BosunException.invalid("signature " + file + " is larger than " + MAX_SIGNATURE_BYTES
                        + " bytes; a detached signature is far smaller");
            }
            return Files.readAllBytes(file);
        } catch (java.nio.file.NoSuchFileException e) {
            throw BosunException.notFound("signature file " + file + " does not exist");
        } catch (IOException e) {
            throw BosunException.precondition("cannot read the signature " + file + " (" + e.getMessage() + ")");
        }
    }

    private byte[] signature(URI aci, URI signature) {
        try {
            return http().bytes(signature, "the signature of image " + aci, MAX_SIGNATURE_BYTES);
        } catch (BosunException e) {
            if (e.kind() == ErrorKind.NOT_FOUND) {
                throw BosunException.invalid("image " + aci + " is not signed (no " + signature + "); run with"
                        + " --insecure-options=image to accept unsigned images");
            }
            throw e;
        }
    }

    // ------------------------------------------------------------------ the common part

    /**
     * Scans (unless {@code scanned} is the scan of its download), verifies and stores one ACI, then
     * its dependencies, then records it. {@code expected} (for discovered images) is the name and
     * labels the manifest must carry; {@code source}, for a local file, is its identity as stat'ed
     * before the scan.
     */
    private StoredImage importAci(AciArchive archive, AciArchive.Scan scanned, String label, Supplier<byte[]> signature,
            String storedAs, AppcName expected, Map<String, String> baseMetadata, SourceFile source) {
        byte[] sig = verify ? signature.get() : null;
        TrustStore trustStore = verify ? trustStore(label) : null;
        AciArchive.Scan scan = scanned != null ? scanned : archive.scan();
        ImageManifest manifest = AciManifest.parse(scan.manifest(), archive);
        if (expected != null) {
            String mismatch = expected.mismatch(manifest.name(), manifest.labels());
            if (mismatch != null) {
                throw BosunException.precondition("image " + label + " was discovered for " + expected + " but " + mismatch
                        + "; the discovery templates of the server point to the wrong image");
            }
        }
        Map<String, String> metadata = new LinkedHashMap<>(baseMetadata);
        if (verify) {
            Signer signer = verifySignature(trustStore, archive, label, sig, manifest.name());
            metadata.put(StoredImage.SIGNED_BY, signer.signingKeyFingerprint());
        }
        metadata.put(AciFormat.MANIFEST_METADATA, new String(scan.manifest(), StandardCharsets.UTF_8));
        List<String> whitelist = AciManifest.pathWhitelist(scan.manifest(), archive);
        if (!whitelist.isEmpty()) {
            metadata.put(AciFormat.WHITELIST_METADATA, JSON.valueToTree(whitelist).toString());
        }
        // Fetched before this image's tar is stored: a dependency refused leaves no blob of this image behind.
        List<String> dependencies = dependencies(manifest.name(), label,
                AciManifest.dependencies(scan.manifest(), archive));
        // Looked up before storing: the same image from another file, or a file touched, is not written again.
        Optional<StoredImage> old = store.find(paths, scan.id()).filter(i -> i.id().equals(scan.id()));
        String blob = old.filter(i -> i.blobs().size() == 1 && store.blob(paths, i.blobs().get(0)).isPresent())
                .map(i -> i.blobs().get(0)).orElseGet(() -> storeTar(archive, scan.id()));
        List<String> references = new ArrayList<>(List.of(storedAs));
        old.ifPresent(o -> o.references().stream().filter(r -> !references.contains(r)).forEach(references::add));
        // The other files this image was imported from keep their records while they still name it.
        old.ifPresent(o -> o.metadata().forEach((k, v) -> {
            if (SourceFile.isKey(k) && !metadata.containsKey(k)
                    && references.contains("file://" + SourceFile.pathOf(k))) {
                metadata.put(k, v);
            }
        }));
        if (source != null && archive.contentDigest() != null) {
            metadata.put(SourceFile.key(archive.file()), source.withSha512(archive.contentDigest()).text());
        }
        return store.record(paths, new StoredImage(scan.id(), manifest.name(), AciFormat.NAME, references, manifest,
                List.of(blob), dependencies, metadata, null, null, 0));
    }

    /** Fetches the dependencies of {@code name} in order; returns their ids. */
    private List<String> dependencies(String name, String label, List<AciManifest.Dependency> dependencies) {
        List<String> ids = new ArrayList<>();
        if (dependencies.isEmpty()) {
            return ids;
        }
        chain.add(name);
        try {
            for (AciManifest.Dependency d : dependencies) {
                if (chain.contains(d.imageName())) {
                    throw BosunException.invalid("image " + label + " has a dependency loop: "
                            + String.join(" -> ", chain) + " -> " + d.imageName() + "; an image cannot depend on itself");
                }
                try {
                    ids.add(named(AppcName.of(d.imageName(), d.labels()), d.imageId(), null).id());
                } catch (BosunException e) {
                    if (e.getMessage().contains(" has a dependency loop: ")) {
                        throw e; // already names the whole chain
                    }
                    throw new BosunException(e.kind(), "image " + label + " depends on " + d + ", which cannot be"
                            + " fetched: " + e.getMessage(), e);
                }
            }
        } finally {
            chain.remove(name);
        }
        return ids;
    }

    /** Writes the uncompressed tar into the store; its digest must be the id the scan computed. */
    private String storeTar(AciArchive archive, String id) {
        try (BlobWriter writer = store.newBlob(paths);
                Progress.Task task = options.progress().task(archive.file().getFileName().toString(), -1);
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

    /**
     * The trust store that will verify a signed image, read once per operation: the trust bundle
     * can come, go or be updated between two operations.
     */
    private TrustStore trustStore(String label) {
        if (trust == null) {
            throw BosunException.unavailable("image " + label + " must be verified, but verifying signatures needs the"
                    + " trust bundle (org.bosun.trust), which is not installed; run with --insecure-options=image to skip"
                    + " verification");
        }
        return trust;
    }

    /**
     * As rkt: the detached signature covers the .aci file's bytes, and the keys are those trusted
     * for the manifest's name. The bytes verified must be the bytes scanned (and later stored).
     */
    private Signer verifySignature(TrustStore trustStore, AciArchive archive, String label, byte[] signature,
            String name) {
        Path file = archive.file();
        MessageDigest sha512 = AciArchive.sha512();
        Signer signer;
        try (InputStream signed = new DigestInputStream(Files.newInputStream(file), sha512)) {
            signer = trustStore.verify(paths, name, "image " + label, signed, new ByteArrayInputStream(signature));
            signed.transferTo(AciArchive.OutputNull.INSTANCE);
        } catch (IOException e) {
            throw BosunException.precondition("cannot read image " + label + " (" + e.getMessage() + ")");
        }
        archive.checkContent(sha512.digest());
        return signer;
    }

    private Discovery discovery() {
        if (discovery == null) {
            discovery = new Discovery(http(), DiscoveryHosts.load(paths));
        }
        return discovery;
    }

    private HttpSource http() {
        if (http == null) {
            http = new HttpSource(paths, options.insecureOptions().contains(InsecureOption.TLS),
                    options.insecureOptions().contains(InsecureOption.HTTP), "http");
        }
        return http;
    }

    private static URI toUri(String text) {
        try {
            return new URI(text);
        } catch (java.net.URISyntaxException e) {
            throw BosunException.invalid("image URL " + text + " is malformed (" + e.getReason() + ")");
        }
    }
}
