package org.bosun.image.appc;

import java.io.ByteArrayInputStream;

import org.bosun.api.BosunException;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Any bytes as an ACI file being fetched (uncompressed, gzip, bzip2 or xz): scanned for its id and
 * manifest, every rootfs entry checked, or refused in one line. Any other exception, or an error
 * (an allocation the image asks for without end: the fuzz JVMs have a 1 GiB heap), is a finding.
 */
class AciArchiveFuzzTest {
    private static final AciArchive ARRIVING = new AciArchive(null, "https://example.com/fuzz.aci", false);

    @FuzzTest
    void anyFileIsScannedOrRefusedInOneLine(byte[] file) {
        try {
            ARRIVING.scan(new ByteArrayInputStream(file));
        } catch (BosunException refused) {
            FuzzFindings.assertOneLine(refused);
        }
    }
}
