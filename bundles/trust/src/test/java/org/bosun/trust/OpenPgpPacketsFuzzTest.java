package org.bosun.trust;

import java.io.ByteArrayInputStream;

import org.bosun.api.BosunException;
import org.bouncycastle.openpgp.PGPPublicKeyRing;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Any bytes as the OpenPGP data bosun reads from the network or an image's publisher: a public key
 * file (as trust and key discovery read it, then describe it), a detached signature (ACIs) and a
 * signed message (simple signing). Each is read or refused in one line; any other exception or
 * error (a parser that loops, recurses or allocates without end) is a finding.
 */
class OpenPgpPacketsFuzzTest {
    @FuzzTest
    void anyPacketsAreReadOrRefused(FuzzedDataProvider data) {
        int what = data.consumeInt(0, 2);
        byte[] bytes = data.consumeRemainingAsBytes();
        try {
            switch (what) {
                case 0 -> {
                    for (PGPPublicKeyRing ring : KeyRings.read(bytes, "key file fuzz.asc")) {
                        KeyRings.describe(ring);
                    }
                }
                case 1 -> DetachedSignature.read("image fuzz.aci", new ByteArrayInputStream(bytes));
                default -> SignedMessageReader.read("signature fuzz/signature-1", new ByteArrayInputStream(bytes), 1 << 16);
            }
        } catch (BosunException refused) {
            if (refused.getMessage().contains("\n")) {
                throw new AssertionError("a refusal of more than one line: " + refused.getMessage());
            }
        }
    }
}
