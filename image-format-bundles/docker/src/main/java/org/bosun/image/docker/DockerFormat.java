package org.bosun.image.docker;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

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
import org.bosun.image.oci.layers.StagedBlobs;
import org.bosun.image.oci.layers.StoredImages;
import org.bosun.image.oci.model.Descriptor;
import org.bosun.image.oci.model.Digests;
import org.bosun.image.oci.model.DockerReference;
import org.bosun.image.oci.model.Documents;
import org.bosun.image.oci.model.ImageConfig;
import org.bosun.image.oci.model.ImageConfigMapping;
import org.bosun.image.oci.model.ImageIndex;
import org.bosun.image.oci.model.MediaTypes;
import org.bosun.image.oci.model.OciManifest;
import org.bosun.image.oci.model.Platform;
import org.bosun.image.oci.signing.SimpleSigning;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * Images from Docker registries ({@code docker://[HOST[:PORT]/]REPO[:TAG|@DIGEST]}, Docker Hub when
 * no host is given) over the Registry HTTP API v2: schema 2 and OCI manifests, manifest lists and
 * OCI indexes (the host's platform is picked), layers streamed into the store with their digests
 * checked. HTTPS only, unless {@code --insecure-options=http}; TLS is verified unless
 * {@code --insecure-options=tls}. Every image must carry a simple signature by a key trusted for its
 * repository (lookaside stores in {@code sigstore.d}) unless {@code --insecure-options=image}.
 * <p>
 * Pull policies: {@code new} uses the image stored for the same reference without asking the
 * registry; {@code update} asks the registry for the manifest again and fetches only what changed;
 * {@code never} uses the store only.
 */
@Component(service = ImageFormat.class)
@ImageFormatService(name = "docker", schemes = {"docker"})
public final class DockerFormat implements ImageFormat {

    /** Optional: without a trust bundle only images fetched with --insecure-options=image can be read. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile TrustStore trust;

    @Override
    public StoredImage fetch(ImageReference reference, FetchOptions options, ImageStore store) {
        DockerReference ref = DockerReference.parse(reference.location());
        String canonical = "docker://" + ref;
        String subject = "image " + canonical;
        RuntimePaths paths = options.paths();
        return store.locked(paths, canonical, () -> {
            Optional<StoredImage> stored = store.findByReference(paths, canonical);
            if (options.pullPolicy().equals("never") || (options.pullPolicy().equals("new") && stored.isPresent())) {
                return stored.orElseThrow(() -> BosunException.notFound(subject + " is not in the store, and the pull"
                        + " policy 'never' does not fetch it; fetch it first"));
            }
            return new Fetch(ref, canonical, subject, options, store).run(stored);
        });
    }

    @Override
    public void render(StoredImage image, ImageStore store, RuntimePaths paths, Path tree) {
        StoredImages.render(image, store, paths, tree);
    }

    /** One fetch: the endpoints to try, and the manifest, config and layers of the image. */
    private final class Fetch {
        private final DockerReference ref;
        private final String canonical;
        private final String subject;
        private final FetchOptions options;
        private final ImageStore store;
        private final RuntimePaths paths;
        private final HttpClient http;
        private final List<RegistryClient> endpoints = new ArrayList<>();

        Fetch(DockerReference ref, String canonical, String subject, FetchOptions options, ImageStore store) {
            this.ref = ref;
            this.canonical = canonical;
            this.subject = subject;
            this.options = options;
            this.store = store;
            this.paths = options.paths();
            Set<InsecureOption> insecure = options.insecureOptions();
            this.http = RegistryClient.httpClient(paths, insecure.contains(InsecureOption.TLS));
            boolean plainHttp = insecure.contains(InsecureOption.HTTP);
            RegistryCredentials credentials = RegistryCredentials.load(paths);
            for (URI mirror : RegistryMirrors.load(paths).forRegistry(ref.domain())) {
                if (mirror.getScheme().equals("http") && !plainHttp) {
                    continue;
                }
                endpoints.add(new RegistryClient(http, mirror, mirror.getAuthority(), ref.path(),
                        credentials.forRegistry(mirror.getAuthority()), plainHttp, subject));
            }
            String host = ref.registryHost();
            URI base = URI.create((plainHttp ? "http://" : "https://") + host);
            endpoints.add(new RegistryClient(http, base, ref.domain(), ref.path(), credentialsFor(credentials, ref),
                    plainHttp, subject));
        }

        private RegistryCredentials.Credentials credentialsFor(RegistryCredentials credentials, DockerReference r) {
            RegistryCredentials.Credentials c = credentials.forRegistry(r.domain());
            return c != null ? c : credentials.forRegistry(r.registryHost());
        }

        StoredImage run(Optional<StoredImage> stored) {
            BosunException first = null;
            for (RegistryClient endpoint : endpoints) {
                try {
                    return from(endpoint, stored);
                } catch (BosunException e) {
                    // A mirror that fails leaves the next endpoint to try; the last one's failure is reported.
                    first = e;
                    if (endpoint == endpoints.get(endpoints.size() - 1)) {
                        throw e;
                    }
                }
            }
            throw first;
        }

        private StoredImage from(RegistryClient registry, Optional<StoredImage> stored) {
            Manifest top = manifest(registry, ref.tagOrDigest());
            if (ref.digest() != null && !top.digest.equals(ref.digest())) {
                throw BosunException.invalid(subject + ": the registry sent a manifest with digest " + top.digest
                        + ", not the one asked for; refused");
            }
            Manifest chosen = top;
            if (MediaTypes.isIndex(top.mediaType)) {
                chosen = platformManifest(registry, top);
            }
            if (!MediaTypes.isManifest(chosen.mediaType)) {
                throw BosunException.invalid(subject + " has a manifest of media type '" + chosen.mediaType
                        + "'; bosun reads Docker schema 2 and OCI manifests (push it again with a current docker or skopeo)");
            }
            Map<String, String> metadata = new LinkedHashMap<>();
            // Signed is the manifest the reference names: the index for a multi-platform image.
            if (!options.insecureOptions().contains(InsecureOption.IMAGE)) {
                SimpleSigning.Verified verified = SimpleSigning.verify(trust, paths, ref, top.digest, subject, http);
                metadata.put(StoredImages.SIGNED_BY, verified.signer().key().fingerprint());
                metadata.put(StoredImages.SIGNED_IDENTITY, verified.identity().toString());
            }
            OciManifest manifest = Documents.manifest(chosen.bytes, subject + "'s manifest " + chosen.digest);
            if (!top.digest.equals(chosen.digest)) {
                metadata.put("indexDigest", top.digest);
            }
            ImageConfig config;
            // Every layer is checked as it arrives; the store gets the image's blobs only if all pass.
            try (StagedBlobs blobs = new StagedBlobs(store, paths, subject)) {
                config = config(registry, manifest.config(), blobs);
                Platform host = Platform.host();
                if (config.os() != null && config.architecture() != null && !host.runs(config.platform())) {
                    throw BosunException.invalid(subject + " is built for " + config.platform() + ", and this host runs "
                            + host);
                }
                List<StagedBlobs.Layer> layers = new ArrayList<>();
                for (Descriptor layer : manifest.layers()) {
                    layers.add(new StagedBlobs.Layer(layer.digest(), layer.size(), "layer " + layer.digest() + " of "
                            + subject, () -> blob(registry, layer)));
                }
                // Downloaded several at a time, as skopeo and containerd do: each layer is hashed,
                // checked and written in one pass on its own thread.
                blobs.addLayers(layers, options.progress(), StagedBlobs.PARALLEL_LAYERS,
                        (layer, e) -> BosunException.unavailable("cannot fetch " + layer.what() + " ("
                                + e.getMessage() + ")"));
                blobs.commit();
            }
            Set<String> references = new LinkedHashSet<>();
            store.find(paths, chosen.digest).ifPresent(existing -> references.addAll(existing.references()));
            references.add(canonical);
            ImageManifest app = ImageConfigMapping.toManifest(ref.repository(), ref.tag(), config, subject);
            return store.record(paths, StoredImages.image(chosen.digest, ref.repository(), "docker",
                    new ArrayList<>(references), app, chosen.mediaType, manifest, metadata));
        }

        private Manifest platformManifest(RegistryClient registry, Manifest top) {
            ImageIndex index = Documents.index(top.bytes, subject + "'s manifest list " + top.digest);
            Platform host = Platform.host();
            for (Descriptor d : index.manifests()) {
                if (host.runs(d.platform())) {
                    Manifest m = manifest(registry, d.digest());
                    if (!m.digest.equals(d.digest())) {
                        throw BosunException.invalid(subject + ": the registry sent the manifest " + m.digest + " for "
                                + d.digest() + "; refused");
                    }
                    return m;
                }
            }
            List<String> platforms = index.manifests().stream().map(d -> String.valueOf(d.platform())).toList();
            throw BosunException.notFound(subject + " has no image for " + host + "; it has " + platforms);
        }

        private Manifest manifest(RegistryClient registry, String tagOrDigest) {
            HttpResponse<InputStream> response = registry.get("manifests/" + tagOrDigest, MediaTypes.ACCEPTED_MANIFESTS)
                    .orElseThrow(() -> BosunException.notFound(subject + " is not in the registry " + ref.domain()
                            + " (no manifest " + tagOrDigest + " in " + ref.path() + ")"));
            byte[] bytes;
            try (InputStream in = response.body()) {
                bytes = Documents.readLimited(in, Documents.MAX_MANIFEST_BYTES, subject + "'s manifest");
            } catch (IOException e) {
                throw BosunException.unavailable("cannot read the manifest of " + subject + " (" + e.getMessage() + ")");
            }
            String digest = Digests.sha256(bytes);
            Optional<String> said = response.headers().firstValue("Docker-Content-Digest");
            if (said.isPresent() && Digests.valid(said.get()) && !said.get().equals(digest)) {
                throw BosunException.invalid(subject + ": the registry says the manifest is " + said.get()
                        + " but it has the digest " + digest + "; refused");
            }
            String mediaType = Documents.mediaType(bytes, subject + "'s manifest");
            if (mediaType == null) {
                mediaType = response.headers().firstValue("Content-Type").orElse("").replaceAll(";.*", "").trim();
            }
            return new Manifest(bytes, digest, mediaType);
        }

        private ImageConfig config(RegistryClient registry, Descriptor descriptor, StagedBlobs blobs) {
            byte[] bytes;
            Optional<java.nio.file.Path> local = store.blob(paths, descriptor.digest());
            try (InputStream in = local.isPresent() ? java.nio.file.Files.newInputStream(local.get())
                    : blob(registry, descriptor)) {
                bytes = Documents.readLimited(in, Documents.MAX_CONFIG_BYTES, subject + "'s config");
            } catch (IOException e) {
                throw BosunException.unavailable("cannot read the config of " + subject + " (" + e.getMessage() + ")");
            }
            blobs.add(descriptor.digest(), bytes, "the config " + descriptor.digest() + " of " + subject);
            return Documents.config(bytes, subject + "'s config " + descriptor.digest());
        }

        private InputStream blob(RegistryClient registry, Descriptor d) {
            HttpResponse<InputStream> response = registry.get("blobs/" + d.digest(), List.of())
                    .orElseThrow(() -> BosunException.notFound(subject + ": the registry " + ref.domain()
                            + " has no blob " + d.digest()));
            return new Bounded(response.body(), d.size(), subject + "'s blob " + d.digest());
        }
    }

    private record Manifest(byte[] bytes, String digest, String mediaType) {
    }

    /** A blob may not be longer than its descriptor says: a registry cannot fill the disk. */
    private static final class Bounded extends FilterInputStream {
        private final long limit;
        private final String what;
        private long read;

        Bounded(InputStream in, long limit, String what) {
            super(in);
            this.limit = limit;
            this.what = what;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count(1);
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = super.read(buffer, offset, length);
            if (n > 0) {
                count(n);
            }
            return n;
        }

        private void count(int n) {
            read += n;
            if (limit > 0 && read > limit) {
                throw BosunException.invalid(what + " is longer than the " + limit + " bytes its descriptor says; refused");
            }
        }
    }
}
