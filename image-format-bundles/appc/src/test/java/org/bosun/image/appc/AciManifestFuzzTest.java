package org.bosun.image.appc;

import java.nio.file.Path;

import org.bosun.api.BosunException;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Any bytes as an ACI's image manifest: read into the common manifest, with its dependencies and
 * path whitelist, or refused in one line naming the image. Any other exception is a finding.
 */
class AciManifestFuzzTest {
    private static final AciArchive ARCHIVE = new AciArchive(Path.of("/fuzz/image.aci"));

    @FuzzTest
    void anyManifestIsReadOrRefusedInOneLine(byte[] manifest) {
        try {
            AciManifest.parse(manifest, ARCHIVE);
            AciManifest.dependencies(manifest, ARCHIVE);
            AciManifest.pathWhitelist(manifest, ARCHIVE);
        } catch (BosunException refused) {
            FuzzFindings.assertOneLine(refused);
        }
    }
}
