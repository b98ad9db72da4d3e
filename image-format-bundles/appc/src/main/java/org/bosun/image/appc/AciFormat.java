package org.bosun.image.appc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import org.bosun.api.BosunException;
import org.bosun.api.RuntimePaths;
import org.bosun.api.image.FetchOptions;
import org.bosun.api.image.ImageFormat;
import org.bosun.api.image.ImageFormatService;
import org.bosun.api.image.ImageReference;
import org.bosun.api.image.ImageStore;
import org.bosun.api.image.StoredImage;
import org.bosun.api.trust.TrustStore;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * App Container Images: local {@code .aci} files, {@code https://} URLs, and names found by appc
 * meta discovery ({@code example.com/app:1.0}). Images must be signed, as in rkt: an unsigned image
 * is refused unless the user passes {@code --insecure-options=image}, and a signed one is verified
 * with the keys the trust bundle's {@link TrustStore} trusts for the image's name. Dependencies are
 * fetched the same way and rendered below the image, in order.
 *
 * <p>As rkt does, the store keeps the ACI uncompressed: its blob is the tar whose SHA-512 is the
 * image id ({@code sha512-...}), and rendering extracts its {@code rootfs/} from that blob.
 */
@Component(service = ImageFormat.class)
@ImageFormatService(name = AciFormat.NAME, schemes = {"file", "https", "http", "appc"}, fileExtensions = {".aci"})
public final class AciFormat implements ImageFormat {
    static final String NAME = "appc";
    /** Metadata: the image manifest as the ACI carries it, for {@code image cat-manifest}. */
    static final String MANIFEST_METADATA = "manifest";
    /** Metadata: the manifest's pathWhitelist as a JSON array, when it has one. */
    static final String WHITELIST_METADATA = "pathWhitelist";
    private static final int MAX_DEPENDENCY_DEPTH = 64;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Optional: without a trust bundle only images fetched with --insecure-options=image can be read. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile TrustStore trust;

    @Override
    public StoredImage fetch(ImageReference reference, FetchOptions options, ImageStore store) {
        return new AciFetch(options, store, trust).fetch(reference);
    }

    /** Renders the dependencies, in order, then the image over them; then applies its pathWhitelist. */
    @Override
    public void render(StoredImage image, ImageStore store, RuntimePaths paths, Path tree) {
        renderLayers(image, store, paths, tree, 0);
        List<String> whitelist = whitelist(image);
        if (!whitelist.isEmpty()) {
            PathWhitelist.apply(tree, whitelist);
        }
    }

    private void renderLayers(StoredImage image, ImageStore store, RuntimePaths paths, Path tree, int depth) {
        if (depth > MAX_DEPENDENCY_DEPTH) {
            throw BosunException.invalid("image " + image.name() + " has dependencies more than " + MAX_DEPENDENCY_DEPTH
                    + " levels deep; a loop in the store's records?");
        }
        for (String id : image.dependencies()) {
            StoredImage dependency = store.find(paths, id).filter(d -> d.id().equals(id)).orElseThrow(() ->
                    BosunException.notFound("image " + image.name() + " (" + image.id() + ") depends on " + id
                            + ", which is no longer in the store; fetch " + image.name() + " again"));
            renderLayers(dependency, store, paths, tree, depth + 1);
        }
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

    private static List<String> whitelist(StoredImage image) {
        String text = image.metadata().get(WHITELIST_METADATA);
        if (text == null) {
            return List.of();
        }
        try {
            JsonNode array = JSON.readTree(text);
            java.util.ArrayList<String> paths = new java.util.ArrayList<>();
            array.forEach(p -> paths.add(p.asText()));
            return paths;
        } catch (IOException e) {
            throw BosunException.internal("image " + image.id() + " has a damaged pathWhitelist record: " + text, e);
        }
    }

    /** appc {@code pathWhitelist}: only the listed paths (and the directories leading to them) remain. */
    static final class PathWhitelist {
        private PathWhitelist() {
        }

        static void apply(Path tree, List<String> whitelist) {
            Set<String> keep = new HashSet<>(whitelist);
            try (Stream<Path> walk = Files.walk(tree)) {
                List<Path> all = walk.sorted(java.util.Comparator.reverseOrder()).toList();
                for (Path p : all) {
                    if (p.equals(tree)) {
                        continue;
                    }
                    String path = "/" + tree.relativize(p).toString();
                    if (keep.contains(path)) {
                        continue;
                    }
                    if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                        try (Stream<Path> children = Files.list(p)) {
                            if (children.findAny().isPresent()) {
                                continue; // leads to something kept
                            }
                        }
                    }
                    Files.delete(p);
                }
            } catch (IOException e) {
                throw BosunException.internal("cannot apply the pathWhitelist in " + tree + ": " + e.getMessage(), e);
            }
        }
    }
}
