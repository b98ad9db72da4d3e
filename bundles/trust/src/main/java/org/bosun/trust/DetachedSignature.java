package org.bosun.trust;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.function.Supplier;

import org.bosun.api.BosunException;
import org.bosun.api.trust.Signer;
import org.bosun.api.trust.TrustedKey;
import org.bouncycastle.bcpg.HashAlgorithmTags;
import org.bouncycastle.bcpg.KeyIdentifier;
import org.bouncycastle.openpgp.PGPCompressedData;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPMarker;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureList;
import org.bouncycastle.openpgp.PGPUtil;
import org.bouncycastle.openpgp.bc.BcPGPObjectFactory;

/**
 * One detached signature file checked against the keys trusted for an image name, as rkt's
 * keystore did (armored or binary), with the checks rkt's Go library left out: revoked and expired
 * keys and subkeys, subkey bindings, expired signatures and weak hashes.
 */
final class DetachedSignature {
    static final int MAX_SIGNATURE_BYTES = 1 << 20;
    /** Clocks of signer and verifier may differ a little. */
    static final Duration CLOCK_SKEW = Duration.ofMinutes(5);

    private final String subject;
    private final List<PGPSignature> signatures;

    private DetachedSignature(String subject, List<PGPSignature> signatures) {
        this.subject = subject;
        this.signatures = signatures;
    }

    /** The signatures of a signed message, checked like detached ones over the message's literal data. */
    static DetachedSignature of(String subject, List<PGPSignature> signatures) {
        return new DetachedSignature(subject, List.copyOf(signatures));
    }

    static DetachedSignature read(String subject, InputStream in) {
        byte[] data;
        try {
            data = in.readNBytes(MAX_SIGNATURE_BYTES + 1);
        } catch (IOException e) {
            throw BosunException.precondition("cannot read the signature of " + subject + " (" + e.getMessage() + ")");
        }
        if (data.length > MAX_SIGNATURE_BYTES) {
            throw BosunException.invalid(subject + " has a signature file of more than " + MAX_SIGNATURE_BYTES
                    + " bytes, which is no detached signature");
        }
        List<PGPSignature> signatures = new ArrayList<>();
        try (InputStream decoded = PGPUtil.getDecoderStream(new ByteArrayInputStream(data))) {
            collect(new BcPGPObjectFactory(decoded), signatures, 0);
        } catch (IOException | PGPException | RuntimeException e) {
            throw BosunException.invalid(subject + " has a signature file that is not an OpenPGP signature ("
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().replaceAll("\\s+", " ").trim())
                    + "); sign it with gpg --armor --detach-sign");
        }
        if (signatures.isEmpty()) {
            throw BosunException.invalid(subject + " has a signature file that holds no OpenPGP signature;"
                    + " sign it with gpg --armor --detach-sign");
        }
        return new DetachedSignature(subject, signatures);
    }

    private static void collect(BcPGPObjectFactory objects, List<PGPSignature> into, int depth) throws IOException, PGPException {
        Object o;
        while ((o = objects.nextObject()) != null) {
            if (o instanceof PGPSignatureList list) {
                for (PGPSignature s : list) {
                    into.add(s);
                }
            } else if (o instanceof PGPCompressedData compressed && depth == 0) {
                collect(new BcPGPObjectFactory(compressed.getDataStream()), into, depth + 1);
            } else if (!(o instanceof PGPMarker)) {
                throw new PGPException("it holds " + KeyRings.packetName(o) + ", not a detached signature");
            }
        }
    }

    /**
     * Verifies the first signature made by a key in {@code trusted} (the keys trusted for
     * {@code imageName}) over {@code signed}; {@code all} gives every trusted key, for a better
     * message when the signer is trusted for other images only.
     */
    Signer verify(String imageName, List<KeyStoreView.Key> trusted, Supplier<List<KeyStoreView.Key>> all,
            InputStream signed) {
        for (PGPSignature sig : signatures) {
            for (KeyStoreView.Key key : trusted) {
                PGPPublicKey signing = signingKey(key, sig);
                if (signing != null) {
                    return verify(sig, key, signing, signed);
                }
            }
        }
        throw untrusted(imageName, all.get());
    }

    /** The key of {@code key}'s ring that the signature names as its issuer, if any. */
    private static PGPPublicKey signingKey(KeyStoreView.Key key, PGPSignature sig) {
        List<KeyIdentifier> issuers = sig.getKeyIdentifiers();
        for (Iterator<PGPPublicKey> it = key.ring().getPublicKeys(); it.hasNext();) {
            PGPPublicKey k = it.next();
            if (k.getKeyIdentifier().isPresentIn(issuers)) {
                return k;
            }
        }
        return null;
    }

    private Signer verify(PGPSignature sig, KeyStoreView.Key key, PGPPublicKey signing, InputStream signed) {
        TrustedKey trusted = key.trusted();
        String by = "key " + KeyRings.named(trusted.key());
        PGPPublicKey primary = key.ring().getPublicKey();
        if (sig.getSignatureType() != PGPSignature.BINARY_DOCUMENT) {
            throw BosunException.invalid(subject + " has a signature of type 0x" + Integer.toHexString(sig.getSignatureType())
                    + " by " + by + ", not a binary document signature; sign it with gpg --armor --detach-sign");
        }
        checkHash(sig, by);
        if (trusted.key().revoked()) {
            throw BosunException.precondition(subject + " is signed by " + by + ", which its owner revoked;"
                    + " get the image signed with a valid key");
        }
        Instant now = Instant.now();
        Instant made = sig.getCreationTime().toInstant();
        if (made.isAfter(now.plus(CLOCK_SKEW))) {
            throw BosunException.invalid(subject + " has a signature made in the future (" + made + ") by " + by
                    + "; check the clocks");
        }
        Instant keyExpires = trusted.key().expires();
        if (keyExpires != null && !keyExpires.isAfter(now)) {
            throw BosunException.precondition(subject + " is signed by " + by + ", which expired on " + keyExpires
                    + "; trust its extended or new key (bosun trust) or get the image signed again");
        }
        if (!signing.isMasterKey()) {
            String sub = "subkey " + KeyRings.fingerprint(signing) + " of " + by;
            if (!KeyValidity.signingSubkey(primary, signing)) {
                throw BosunException.precondition(subject + " is signed by " + sub + ", which is not bound to it as a"
                        + " signing subkey; get the image signed with a valid key");
            }
            if (KeyValidity.revoked(primary, signing)) {
                throw BosunException.precondition(subject + " is signed by " + sub + ", which was revoked;"
                        + " get the image signed with a valid key");
            }
            Instant subExpires = KeyValidity.expires(signing);
            if (subExpires != null && !subExpires.isAfter(now)) {
                throw BosunException.precondition(subject + " is signed by " + sub + ", which expired on " + subExpires
                        + "; get the image signed again");
            }
        }
        long sigSeconds = sig.getHashedSubPackets() == null ? 0 : sig.getHashedSubPackets().getSignatureExpirationTime();
        if (sigSeconds > 0 && !made.plusSeconds(sigSeconds).isAfter(now)) {
            throw BosunException.precondition(subject + " has a signature by " + by + " that expired on "
                    + made.plusSeconds(sigSeconds) + "; get the image signed again");
        }
        boolean good;
        try {
            sig.init(KeyValidity.VERIFIERS, signing);
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = signed.read(buf)) > 0) {
                sig.update(buf, 0, n);
            }
            good = sig.verify();
        } catch (IOException e) {
            throw BosunException.precondition("cannot read " + subject + " to verify its signature (" + e.getMessage() + ")");
        } catch (PGPException | RuntimeException e) {
            good = false;
        }
        if (!good) {
            throw BosunException.invalid(subject + " does not match its signature by " + by
                    + ": the image or its signature was changed or damaged; fetch both again");
        }
        return new Signer(trusted.key(), KeyRings.fingerprint(signing), trusted.scope(), made);
    }

    private void checkHash(PGPSignature sig, String by) {
        int hash = sig.getHashAlgorithm();
        if (hash == HashAlgorithmTags.MD5 || hash == HashAlgorithmTags.SHA1 || hash == HashAlgorithmTags.RIPEMD160
                || hash == HashAlgorithmTags.MD2) {
            throw BosunException.invalid(subject + " has a signature by " + by + " that uses the weak hash "
                    + hashName(hash) + "; sign it again with SHA-256 or better (gpg --digest-algo SHA256)");
        }
    }

    private static String hashName(int hash) {
        return switch (hash) {
            case HashAlgorithmTags.MD5 -> "MD5";
            case HashAlgorithmTags.SHA1 -> "SHA-1";
            case HashAlgorithmTags.RIPEMD160 -> "RIPEMD-160";
            default -> "MD2";
        };
    }

    private BosunException untrusted(String imageName, List<KeyStoreView.Key> all) {
        PGPSignature sig = signatures.get(0);
        String issuer = issuer(sig);
        List<String> elsewhere = new ArrayList<>();
        String userId = "";
        for (KeyStoreView.Key key : all) {
            if (signingKey(key, sig) != null) {
                elsewhere.add(key.trusted().scope().toString());
                issuer = key.trusted().key().fingerprint();
                userId = key.trusted().key().userId();
            }
        }
        String named = "key " + issuer + (userId.isEmpty() ? "" : " (" + userId + ")");
        String where = elsewhere.isEmpty() ? "" : " (only for " + String.join(", ", elsewhere) + ")";
        return BosunException.precondition(subject + " is signed by " + named + ", which is not trusted for "
                + imageName + where + "; if you trust that key, run 'bosun trust --prefix=" + imageName
                + " KEYFILE' with its public key file");
    }

    /** The issuer's fingerprint when the signature names it (gpg 2.2 does), else its 64-bit key id. */
    private static String issuer(PGPSignature sig) {
        String keyId = null;
        for (KeyIdentifier id : sig.getKeyIdentifiers()) {
            if (id.getFingerprint() != null) {
                return Fingerprints.display(id.getFingerprint());
            }
            keyId = "id " + HexFormat.of().withUpperCase().formatHex(longBytes(id.getKeyId()));
        }
        return keyId != null ? keyId : "(unnamed)";
    }

    private static byte[] longBytes(long v) {
        byte[] b = new byte[8];
        for (int i = 7; i >= 0; i--) {
            b[i] = (byte) v;
            v >>>= 8;
        }
        return b;
    }
}
