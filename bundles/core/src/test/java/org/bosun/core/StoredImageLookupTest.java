package org.bosun.core;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.bosun.api.BosunException;
import org.bosun.api.ErrorKind;
import org.bosun.api.RuntimePaths;
import org.bosun.api.image.BlobWriter;
import org.bosun.api.image.ImageManifest;
import org.bosun.api.image.ImageReference;
import org.bosun.api.image.StoredImage;
import org.bosun.host.files.Scratch;
import org.bosun.store.ImageStoreImpl;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;

/** Which image references name a stored image before any format is asked (as rkt looked in its store first). */
public class StoredImageLookupTest {
    @Rule
    public final Scratch scratch = new Scratch();

    private final ImageStoreImpl store = new ImageStoreImpl();
    private RuntimePaths paths;
    private String appcId;
    private String dockerId;

    private String record(String content, String format, String name, Map<String, String> labels, String reference,
            String algorithm) throws Exception {
        String blob;
        try (BlobWriter w = store.newBlob(paths)) {
            w.stream().write(content.getBytes(StandardCharsets.UTF_8));
            blob = w.commit(null, algorithm);
        }
        ImageManifest manifest = new ImageManifest(name, labels, List.of("/bin/sh"), "0", "0", "/", Map.of(), Map.of());
        store.record(paths, new StoredImage(blob, name, format, List.of(reference), manifest, List.of(blob), List.of(),
                Map.of(), null, null, 0));
        return blob;
    }

    @Before
    public void storeTwoImages() throws Exception {
        paths = new RuntimePaths(scratch.root().resolve("data"), scratch.root().resolve("etc"), scratch.root().resolve("lib"));
        appcId = record("an aci", "appc", "example.com/busybox", Map.of("version", "1.35", "os", "linux"),
                "file:///images/busybox.aci", "sha512");
        dockerId = record("a manifest", "docker", "127.0.0.1:5000/test/busybox", Map.of(),
                "docker://127.0.0.1:5000/test/busybox:v1", "sha256");
    }

    private java.util.Optional<StoredImage> find(String image, String pullPolicy) {
        return StoredImageLookup.find(store, paths, ImageReference.parse(image, Path.of("/")), pullPolicy);
    }

    @Test
    public void aFullImageIdNamesTheStoredImageWhateverThePullPolicy() {
        for (String policy : List.of("new", "never", "update")) {
            assertEquals(policy, appcId, find(appcId, policy).orElseThrow().id());
            assertEquals(policy, dockerId, find(dockerId, policy).orElseThrow().id());
        }
    }

    @Test
    public void aUniqueIdPrefixNamesTheStoredImage() {
        assertEquals(appcId, find(appcId.substring(0, 19), "new").orElseThrow().id());
        assertEquals(dockerId, find(dockerId.substring(0, 19), "never").orElseThrow().id());
    }

    @Test
    public void anIdNotInTheStoreIsNotFoundAndNeverDiscovered() {
        String missing = "sha512-" + "ab".repeat(64);
        BosunException e = assertThrows(BosunException.class, () -> find(missing, "new"));
        assertEquals(ErrorKind.NOT_FOUND, e.kind());
        assertTrue(e.getMessage(), e.getMessage().contains(missing) && e.getMessage().contains("bosun image list"));
    }

    @Test
    public void anAppcNameWithItsVersionLabelIsTakenFromTheStoreUnlessPullPolicyIsUpdate() {
        assertEquals(appcId, find("example.com/busybox:1.35", "never").orElseThrow().id());
        assertEquals(appcId, find("example.com/busybox:1.35", "new").orElseThrow().id());
        assertEquals(appcId, find("example.com/busybox", "new").orElseThrow().id());
        assertFalse("update discovers again", find("example.com/busybox:1.35", "update").isPresent());
        assertFalse("another version is not this one", find("example.com/busybox:1.36", "never").isPresent());
    }

    @Test
    public void aDockerNameWithItsTagIsTakenFromTheStore() {
        assertEquals(dockerId, find("127.0.0.1:5000/test/busybox:v1", "never").orElseThrow().id());
        assertFalse(find("127.0.0.1:5000/test/busybox:v2", "never").isPresent());
    }

    @Test
    public void filesAndReferencesWithASchemeAreLeftToTheirFormat() {
        assertFalse(find("/images/busybox.aci", "never").isPresent());
        assertFalse(find("docker://127.0.0.1:5000/test/busybox:v1", "never").isPresent());
    }
}
