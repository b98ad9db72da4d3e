package org.bosun.trust;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import org.bouncycastle.bcpg.sig.KeyFlags;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureList;
import org.bouncycastle.openpgp.PGPSignatureSubpacketVector;
import org.bouncycastle.openpgp.operator.bc.BcPGPContentVerifierBuilderProvider;

/**
 * Whether a key may still vouch for anything: revocations and bindings count only when their
 * signatures verify, so a stray packet appended to a key file neither revokes a key nor lends it a
 * subkey.
 */
final class KeyValidity {
    static final BcPGPContentVerifierBuilderProvider VERIFIERS = new BcPGPContentVerifierBuilderProvider();

    private KeyValidity() {
    }

    /** When {@code key} expires, by its own (latest) self-signature or binding; null if never. */
    static Instant expires(PGPPublicKey key) {
        long seconds = key.getValidSeconds();
        return seconds <= 0 ? null : key.getCreationTime().toInstant().plusSeconds(seconds);
    }

    /** Whether the primary key carries a revocation it made itself. */
    static boolean revoked(PGPPublicKey primary) {
        for (PGPSignature sig : ofType(primary, PGPSignature.KEY_REVOCATION)) {
            if (issuedBy(sig, primary) && verifies(() -> {
                sig.init(VERIFIERS, primary);
                return sig.verifyCertification(primary);
            })) {
                return true;
            }
        }
        return false;
    }

    /** Whether the primary key revoked its subkey {@code subkey}. */
    static boolean revoked(PGPPublicKey primary, PGPPublicKey subkey) {
        for (PGPSignature sig : ofType(subkey, PGPSignature.SUBKEY_REVOCATION)) {
            if (issuedBy(sig, primary) && verifies(() -> {
                sig.init(VERIFIERS, primary);
                return sig.verifyCertification(primary, subkey);
            })) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether {@code subkey} is a signing subkey of {@code primary}: a binding signature by the
     * primary key that allows signing data, carrying the subkey's own back-signature (as gpg
     * requires, so nobody can claim someone else's signing subkey).
     */
    static boolean signingSubkey(PGPPublicKey primary, PGPPublicKey subkey) {
        for (PGPSignature binding : ofType(subkey, PGPSignature.SUBKEY_BINDING)) {
            if (!issuedBy(binding, primary)) {
                continue;
            }
            PGPSignatureSubpacketVector hashed = binding.getHashedSubPackets();
            if (hashed == null || (hashed.getKeyFlags() & KeyFlags.SIGN_DATA) == 0) {
                continue;
            }
            boolean bound = verifies(() -> {
                binding.init(VERIFIERS, primary);
                return binding.verifyCertification(primary, subkey);
            });
            if (bound && backSigned(binding, primary, subkey)) {
                return true;
            }
        }
        return false;
    }

    private static boolean backSigned(PGPSignature binding, PGPPublicKey primary, PGPPublicKey subkey) {
        List<PGPSignature> embedded = new ArrayList<>();
        for (PGPSignatureSubpacketVector v : new PGPSignatureSubpacketVector[] {binding.getHashedSubPackets(),
                binding.getUnhashedSubPackets()}) {
            if (v == null) {
                continue;
            }
            try {
                PGPSignatureList list = v.getEmbeddedSignatures();
                for (PGPSignature s : list) {
                    embedded.add(s);
                }
            } catch (PGPException e) {
                // a malformed embedded signature counts as none
            }
        }
        for (PGPSignature back : embedded) {
            if (back.getSignatureType() == PGPSignature.PRIMARYKEY_BINDING && verifies(() -> {
                back.init(VERIFIERS, subkey);
                return back.verifyCertification(primary, subkey);
            })) {
                return true;
            }
        }
        return false;
    }

    private static boolean issuedBy(PGPSignature sig, PGPPublicKey key) {
        return sig.getKeyIdentifiers().isEmpty() || key.getKeyIdentifier().isPresentIn(sig.getKeyIdentifiers());
    }

    private static List<PGPSignature> ofType(PGPPublicKey key, int type) {
        List<PGPSignature> sigs = new ArrayList<>();
        for (Iterator<PGPSignature> it = key.getSignaturesOfType(type); it.hasNext();) {
            sigs.add(it.next());
        }
        return sigs;
    }

    private interface Check {
        boolean run() throws PGPException;
    }

    /** A check whose failure to compute (unknown algorithm, malformed packet) counts as "no". */
    private static boolean verifies(Check check) {
        try {
            return check.run();
        } catch (PGPException | RuntimeException e) {
            return false;
        }
    }
}
