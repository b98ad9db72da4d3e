package org.bosun.trust;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import org.bosun.api.BosunException;
import org.bosun.api.trust.OpenPgpKey;
import org.bouncycastle.bcpg.ArmoredOutputStream;
import org.bouncycastle.openpgp.PGPMarker;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPPublicKeyRing;
import org.bouncycastle.openpgp.PGPSecretKeyRing;
import org.bouncycastle.openpgp.PGPUtil;
import org.bouncycastle.openpgp.bc.BcPGPObjectFactory;

/** Reading, describing and armoring OpenPGP public key rings (a primary key with its user ids and subkeys). */
final class KeyRings {
    /** Far more than any real public key with its certifications. */
    static final int MAX_KEY_FILE_BYTES = 4 << 20;

    private KeyRings() {
    }

    /**
     * The key rings in an armored or binary key file, in order. {@code what} names the data in
     * messages ("key file key.asc").
     */
    static List<PGPPublicKeyRing> read(byte[] data, String what) {
        if (data.length > MAX_KEY_FILE_BYTES) {
            throw BosunException.invalid(what + " has " + data.length + " bytes, more than the " + MAX_KEY_FILE_BYTES
                    + " a public key file may have");
        }
        List<PGPPublicKeyRing> rings = new ArrayList<>();
        try (InputStream in = PGPUtil.getDecoderStream(new ByteArrayInputStream(data))) {
            BcPGPObjectFactory objects = new BcPGPObjectFactory(in);
            Object o;
            while ((o = objects.nextObject()) != null) {
                if (o instanceof PGPPublicKeyRing ring) {
                    rings.add(ring);
                } else if (o instanceof PGPSecretKeyRing) {
                    throw BosunException.invalid(what + " holds a secret key; give the public key only"
                            + " (gpg --export --armor KEYID)");
                } else if (!(o instanceof PGPMarker)) {
                    throw BosunException.invalid(what + " holds " + packetName(o) + ", not a public key");
                }
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof BosunException be) {
                throw be;
            }
            throw BosunException.invalid(what + " is not an OpenPGP public key (" + reason(e) + ")");
        }
        if (rings.isEmpty()) {
            throw BosunException.invalid(what + " holds no OpenPGP public key; export one with gpg --export --armor KEYID");
        }
        return rings;
    }

    /** What an OpenPGP object is, for messages: "an OpenPGP signature". */
    static String packetName(Object o) {
        String name = switch (o.getClass().getSimpleName()) {
            case "PGPSignatureList", "PGPOnePassSignatureList" -> "signature";
            case "PGPPublicKeyRing" -> "public key";
            case "PGPSecretKeyRing" -> "secret key";
            case "PGPEncryptedDataList" -> "encrypted message";
            case "PGPCompressedData", "PGPLiteralData" -> "message";
            default -> "packet (" + o.getClass().getSimpleName() + ")";
        };
        return "an OpenPGP " + name;
    }

    private static String reason(Exception e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m.replaceAll("\\s+", " ").trim();
    }

    /** The ring as an ASCII-armored public key block. */
    static byte[] armored(PGPPublicKeyRing ring) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ArmoredOutputStream armor = ArmoredOutputStream.builder().clearHeaders().build(bytes)) {
            ring.encode(armor, true);
        } catch (IOException e) {
            throw new IllegalStateException("cannot armor a key held in memory", e);
        }
        return bytes.toByteArray();
    }

    static String fingerprint(PGPPublicKey key) {
        return Fingerprints.display(key.getFingerprint());
    }

    /** What a user sees of a key: fingerprints, user ids, dates, and whether it revoked itself. */
    static OpenPgpKey describe(PGPPublicKeyRing ring) {
        PGPPublicKey primary = ring.getPublicKey();
        List<String> userIds = new ArrayList<>();
        for (Iterator<String> it = primary.getUserIDs(); it.hasNext();) {
            userIds.add(it.next());
        }
        List<String> subkeys = new ArrayList<>();
        for (Iterator<PGPPublicKey> it = ring.getPublicKeys(); it.hasNext();) {
            PGPPublicKey key = it.next();
            if (!key.isMasterKey()) {
                subkeys.add(fingerprint(key));
            }
        }
        return new OpenPgpKey(fingerprint(primary), userIds, subkeys, primary.getCreationTime().toInstant(),
                KeyValidity.expires(primary), KeyValidity.revoked(primary));
    }

    /** {@code KEY (user id)}, or the bare key when it has no user id. */
    static String named(OpenPgpKey key) {
        return key.fingerprint() + (key.userId().isEmpty() ? "" : " (" + key.userId() + ")");
    }

    /** Refuses keys that cannot sign anything any more. */
    static void checkUsable(OpenPgpKey key, String what) {
        if (key.revoked()) {
            throw BosunException.invalid(what + " holds key " + named(key) + ", which its owner revoked;"
                    + " ask for the key that replaces it");
        }
        if (key.expires() != null && key.expires().isBefore(Instant.now())) {
            throw BosunException.invalid(what + " holds key " + named(key) + ", which expired on " + key.expires()
                    + "; ask its owner for an extended or new key");
        }
    }
}
