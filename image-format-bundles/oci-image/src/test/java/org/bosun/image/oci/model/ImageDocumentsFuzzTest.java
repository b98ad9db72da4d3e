package org.bosun.image.oci.model;

import java.nio.charset.StandardCharsets;

import org.bosun.api.BosunException;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Any bytes as what a registry or an image archive sends: a manifest, an index, an image config
 * (mapped to the common manifest) or an image reference. Each is read or refused in one line; any
 * other exception is a finding.
 */
class ImageDocumentsFuzzTest {
    private static final String SUBJECT = "image docker://127.0.0.1:5000/fuzz:1";

    @FuzzTest
    void anyDocumentIsReadOrRefusedInOneLine(byte[] bytes) {
        try {
            Documents.mediaType(bytes, SUBJECT);
        } catch (BosunException refused) {
            assertOneLine(refused);
        }
        try {
            OciManifest manifest = Documents.manifest(bytes, SUBJECT);
            manifest.layers().forEach(l -> Digests.check(l.digest(), SUBJECT));
        } catch (BosunException refused) {
            assertOneLine(refused);
        }
        try {
            Documents.index(bytes, SUBJECT).manifests().forEach(m -> Platform.host().runs(m.platform()));
        } catch (BosunException refused) {
            assertOneLine(refused);
        }
        try {
            ImageConfigMapping.toManifest("127.0.0.1:5000/fuzz", "1", Documents.config(bytes, SUBJECT), SUBJECT);
        } catch (BosunException refused) {
            assertOneLine(refused);
        }
        try {
            DockerReference.parse(new String(bytes, StandardCharsets.UTF_8));
        } catch (BosunException refused) {
            assertOneLine(refused);
        }
    }

    private static void assertOneLine(BosunException refused) {
        if (refused.getMessage().contains("\n") || refused.getMessage().contains("\r")) {
            throw new AssertionError("a refusal of more than one line: " + refused.getMessage());
        }
    }
}
