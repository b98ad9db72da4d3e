package org.bosun.trust;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

import org.bosun.api.BosunException;
import org.bouncycastle.openpgp.PGPCompressedData;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPLiteralData;
import org.bouncycastle.openpgp.PGPMarker;
import org.bouncycastle.openpgp.PGPOnePassSignatureList;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureList;
import org.bouncycastle.openpgp.PGPUtil;
import org.bouncycastle.openpgp.bc.BcPGPObjectFactory;

/**
 * An OpenPGP signed message ({@code gpg --sign}, containers' simple signing): optional compression
 * around one-pass signatures, one literal data packet and the signatures. The signatures cover the
 * literal data exactly as a detached signature would cover the same bytes, so they are verified by
 * {@link DetachedSignature}, with all its checks.
 */
final class SignedMessageReader {
    /** Signature packets, headers and compression around the payload. */
    private static final int MAX_OVERHEAD = 1 << 20;

    final byte[] payload;
    final List<PGPSignature> signatures;

    private SignedMessageReader(byte[] payload, List<PGPSignature> signatures) {
        this.payload = payload;
        this.signatures = signatures;
    }

    static SignedMessageReader read(String subject, InputStream in, int maxPayload) {
        byte[] data;
        try {
            data = in.readNBytes(maxPayload + MAX_OVERHEAD + 1);
        } catch (IOException e) {
            throw BosunException.precondition("cannot read " + subject + " (" + e.getMessage() + ")");
        }
        if (data.length > maxPayload + MAX_OVERHEAD) {
            throw BosunException.invalid(subject + " is larger than " + (maxPayload + MAX_OVERHEAD)
                    + " bytes, which is no signature; refused");
        }
        byte[][] literal = new byte[1][];
        List<PGPSignature> signatures = new ArrayList<>();
        try (InputStream decoded = PGPUtil.getDecoderStream(new ByteArrayInputStream(data))) {
            collect(subject, new BcPGPObjectFactory(decoded), literal, signatures, maxPayload, 0);
        } catch (BosunException e) {
            throw e;
        } catch (IOException | PGPException | RuntimeException e) {
            throw BosunException.invalid(subject + " is not an OpenPGP signed message ("
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().replaceAll("\\s+", " ").trim())
                    + ")");
        }
        if (literal[0] == null) {
            throw BosunException.invalid(subject + " is an OpenPGP message without signed content; a simple signature"
                    + " carries its JSON payload inside (skopeo copy --sign-by writes one)");
        }
        if (signatures.isEmpty()) {
            throw BosunException.invalid(subject + " is an OpenPGP message without a signature");
        }
        return new SignedMessageReader(literal[0], signatures);
    }

    private static void collect(String subject, BcPGPObjectFactory objects, byte[][] literal, List<PGPSignature> into,
            int maxPayload, int depth) throws IOException, PGPException {
        Object o;
        while ((o = objects.nextObject()) != null) {
            if (o instanceof PGPSignatureList list) {
                for (PGPSignature s : list) {
                    into.add(s);
                }
            } else if (o instanceof PGPLiteralData data) {
                if (literal[0] != null) {
                    throw BosunException.invalid(subject + " holds more than one signed content; refused");
                }
                byte[] content = data.getInputStream().readNBytes(maxPayload + 1);
                if (content.length > maxPayload) {
                    throw BosunException.invalid(subject + " carries more than " + maxPayload + " bytes; refused");
                }
                literal[0] = content;
            } else if (o instanceof PGPCompressedData compressed && depth == 0) {
                collect(subject, new BcPGPObjectFactory(compressed.getDataStream()), literal, into, maxPayload, depth + 1);
            } else if (!(o instanceof PGPOnePassSignatureList) && !(o instanceof PGPMarker)) {
                throw new PGPException("it holds " + KeyRings.packetName(o) + ", which a signed message does not");
            }
        }
    }
}
