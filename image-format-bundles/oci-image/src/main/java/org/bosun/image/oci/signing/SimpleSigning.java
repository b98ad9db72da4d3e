package org.bosun.image.oci.signing;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.bosun.api.BosunException;
import org.bosun.api.ErrorKind;
import org.bosun.api.RuntimePaths;
import org.bosun.api.trust.SignedMessage;
import org.bosun.api.trust.Signer;
import org.bosun.api.trust.TrustStore;
import org.bosun.image.oci.model.DockerReference;
import org.bosun.image.oci.model.Documents;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Verifies containers' "simple signing" signatures: OpenPGP signed messages whose payload is
 *
 * <pre>
 * {"critical": {"identity": {"docker-reference": "host/repo:tag"},
 *               "image": {"docker-manifest-digest": "sha256:..."},
 *               "type": "atomic container signature"},
 *  "optional": {...}}
 * </pre>
 *
 * A signature is good when a key trusted for the repository signed it, its manifest digest is the
 * digest of the manifest fetched, and its identity names the reference (the same repository and,
 * for a reference by tag, the same tag), as containers' {@code matchRepoDigestOrExact} policy.
 */
public final class SimpleSigning {
    public static final String TYPE = "atomic container signature";
    private static final Set<String> CRITICAL = Set.of("identity", "image", "type");

    private SimpleSigning() {
    }

    /**
     * The result of a good signature.
     *
     * @param signer who signed it
     * @param identity the reference it names
     */
    public record Verified(Signer signer, DockerReference identity) {
    }

    /**
     * Verifies the signatures of {@code manifestDigest} for {@code reference} in the lookaside store
     * that serves its repository; the first good one wins. Refuses an unsigned image with one line
     * naming {@code --insecure-options=image}, and a wrongly signed one with the reason of the first
     * signature's failure.
     */
    public static Verified verify(TrustStore trust, RuntimePaths paths, DockerReference reference, String manifestDigest,
            String subject, HttpClient http) {
        Lookaside lookaside = Lookaside.load(paths);
        Optional<URI> store = lookaside.storeFor(reference.repository());
        if (store.isEmpty()) {
            throw unsigned(subject, "no sigstore is configured for " + reference.repository() + " in sigstore.d");
        }
        List<byte[]> signatures = Lookaside.signatures(store.get(), reference, manifestDigest, http, subject);
        if (signatures.isEmpty()) {
            throw unsigned(subject, "no simple signature at " + Lookaside.signatureUri(store.get(), reference, manifestDigest, 1));
        }
        return firstGood(trust, paths, reference, manifestDigest, subject, signatures);
    }

    /**
     * For an image from an archive: its own name when it has one ({@code candidates}), else every
     * repository whose signatures of this digest lie in a {@code file:} store.
     */
    public static Verified verifyLocal(TrustStore trust, RuntimePaths paths, List<DockerReference> candidates,
            String manifestDigest, String subject) {
        List<DockerReference> names = new ArrayList<>(candidates);
        if (names.isEmpty()) {
            names.addAll(Lookaside.load(paths).repositoriesSigning(manifestDigest));
        }
        if (names.isEmpty()) {
            throw unsigned(subject, "its archive names no repository and no file: sigstore in sigstore.d holds a"
                    + " signature of " + manifestDigest);
        }
        BosunException first = null;
        HttpClient http = HttpClient.newHttpClient();
        for (DockerReference name : names) {
            try {
                return verify(trust, paths, name, manifestDigest, subject, http);
            } catch (BosunException e) {
                first = first == null ? e : first;
            }
        }
        throw first;
    }

    private static Verified firstGood(TrustStore trust, RuntimePaths paths, DockerReference reference,
            String manifestDigest, String subject, List<byte[]> signatures) {
        if (trust == null) {
            throw BosunException.unavailable(subject + " is signed, but verifying signatures needs the trust bundle"
                    + " (org.bosun.trust), which is not installed; run with --insecure-options=image to skip verification");
        }
        BosunException first = null;
        for (int i = 0; i < signatures.size(); i++) {
            String sigSubject = "signature " + (i + 1) + " of " + subject;
            try {
                SignedMessage message = trust.verifyMessage(paths, reference.repository(), sigSubject,
                        new ByteArrayInputStream(signatures.get(i)), Lookaside.MAX_SIGNATURE_BYTES);
                DockerReference identity = checkPayload(message.payload(), reference, manifestDigest, sigSubject);
                return new Verified(message.signer(), identity);
            } catch (BosunException e) {
                if (e.kind() == ErrorKind.UNAVAILABLE || e.kind() == ErrorKind.INTERNAL) {
                    throw e;
                }
                first = first == null ? e : first;
            }
        }
        throw first;
    }

    /** Checks a verified payload against the fetched manifest and the reference; returns its identity. */
    static DockerReference checkPayload(byte[] payload, DockerReference reference, String manifestDigest, String subject) {
        JsonNode root;
        try {
            root = Documents.json().readTree(payload);
        } catch (IOException e) {
            root = null;
        }
        JsonNode critical = root == null ? null : root.get("critical");
        if (critical == null || !critical.isObject()) {
            throw BosunException.invalid(subject + " does not carry a simple signing payload (no \"critical\" object)");
        }
        for (Iterator<String> it = critical.fieldNames(); it.hasNext();) {
            String field = it.next();
            if (!CRITICAL.contains(field)) {
                throw BosunException.invalid(subject + " has the unknown critical field '" + field + "'; refused, as"
                        + " critical fields must be understood");
            }
        }
        if (!TYPE.equals(critical.path("type").asText(null))) {
            throw BosunException.invalid(subject + " is of type '" + critical.path("type").asText(null) + "', not '"
                    + TYPE + "'");
        }
        String signedDigest = critical.path("image").path("docker-manifest-digest").asText(null);
        if (!manifestDigest.equals(signedDigest)) {
            throw BosunException.invalid(subject + " signs the manifest " + signedDigest + ", not the manifest "
                    + manifestDigest + " that was fetched; the image was changed after it was signed, or the"
                    + " signature belongs to another image");
        }
        String signedIdentity = critical.path("identity").path("docker-reference").asText(null);
        DockerReference identity;
        try {
            identity = DockerReference.parse(signedIdentity);
        } catch (BosunException e) {
            throw BosunException.invalid(subject + " names the image '" + signedIdentity + "', which is not a reference");
        }
        boolean sameRepository = identity.repository().equals(reference.repository());
        boolean sameTag = reference.tag() == null || reference.tag().equals(identity.tag());
        if (!sameRepository || !sameTag) {
            throw BosunException.invalid(subject + " is for " + signedIdentity + ", not for " + reference
                    + "; refused, as a signature is valid only for the image it names");
        }
        return identity;
    }

    private static BosunException unsigned(String subject, String why) {
        return BosunException.invalid(subject + " is not signed (" + why + "); run with --insecure-options=image to accept"
                + " unsigned images");
    }
}
