package org.bosun.store;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.List;
import java.util.Map;

import org.bosun.api.BosunException;
import org.bosun.api.ErrorKind;
import org.bosun.api.image.ImageManifest;
import org.bosun.api.image.StoredImage;
import org.junit.Test;

/** How a user's words name a stored image, and what is said when they cannot (issue 13). */
public class ImageMatcherTest {
    private static StoredImage image(String hex, String name) {
        return new StoredImage("sha512-" + hex + "0".repeat(128 - hex.length()), name, "appc", List.of(),
                new ImageManifest(name, Map.of(), List.of("/bin/sh"), null, null, null, Map.of(), Map.of()),
                List.of(), List.of(), Map.of(), null, null, 0);
    }

    private static final List<StoredImage> IMAGES = List.of(image("abcd1", "example.com/one"),
            image("abcd2", "example.com/two"), image("ef01", "example.com/three"));

    private static String refusal(String query) {
        BosunException e = assertThrows(query, BosunException.class, () -> ImageMatcher.match(IMAGES, query));
        assertEquals(e.getMessage(), ErrorKind.INVALID_ARGUMENT, e.kind());
        return e.getMessage();
    }

    @Test
    public void aUniqueIdPrefixNamesItsImage() {
        assertEquals("example.com/one", ImageMatcher.match(IMAGES, "sha512-abcd1").name());
        assertEquals("example.com/three", ImageMatcher.match(IMAGES, "ef01").name());
        assertNull(ImageMatcher.match(IMAGES, "sha512-9999"));
    }

    @Test
    public void anAmbiguousIdPrefixSaysSo() {
        String message = refusal("sha512-abcd");
        assertTrue(message, message.contains("image id prefix sha512-abcd is ambiguous (2 images)"));
        assertTrue(refusal("abcd").contains("ambiguous"));
    }

    @Test
    public void aTooShortIdPrefixSaysSoRatherThanNotInTheStore() {
        for (String query : List.of("sha512-ab", "sha512-", "sha256:e")) {
            String message = refusal(query);
            assertTrue(message, message.contains("image id prefix " + query + " is too short; give at least 4 hex"));
        }
        // Without the algorithm, a short word may be a name.
        assertNull(ImageMatcher.match(IMAGES, "ab"));
    }
}
