package org.bosun.api.trust;

import java.io.InputStream;
import java.util.List;

import org.bosun.api.RuntimePaths;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The trusted keys of one configuration ({@link RuntimePaths#localConfigDir()} over
 * {@link RuntimePaths#systemConfigDir()}), and the verification of detached OpenPGP signatures
 * against them. The local directory overrides the system one file by file: a local key file wins
 * over the system file of the same scope and fingerprint, and an empty local file in its place
 * withdraws the trust the system file gave.
 *
 * <p>Failures are {@link org.bosun.api.BosunException}s with one line that names the key or file
 * and what to do.
 */
@ProviderType
public interface TrustStore {

    /**
     * Reads the public keys in an ASCII-armored or binary OpenPGP key file, trusting nothing: what
     * a user reviews before {@link #trust}. Refuses data that holds no public key or a secret key.
     */
    List<OpenPgpKey> read(byte[] keyFile);

    /**
     * Trusts every key in {@code keyFile} for {@code scope}: writes each, armored, to the local
     * configuration (atomically, mode 0644), replacing a file of the same fingerprint there.
     * Refuses revoked and expired keys.
     *
     * @return the stored keys, in the order of the file
     */
    List<TrustedKey> trust(RuntimePaths paths, TrustScope scope, byte[] keyFile);

    /** The keys trusted now, local and system, without the withdrawn ones; by scope, then fingerprint. */
    List<TrustedKey> list(RuntimePaths paths);

    /**
     * Stops trusting the key {@code fingerprint} (hex, any case, spaces allowed) for {@code scope}:
     * deletes the local file and, when the system configuration trusts the key for that scope,
     * puts an empty file in its place in the local configuration.
     *
     * @return the key that is no longer trusted, as it was listed before
     * @throws org.bosun.api.BosunException NOT_FOUND if the key is not trusted for that scope
     */
    TrustedKey remove(RuntimePaths paths, TrustScope scope, String fingerprint);

    /**
     * Verifies a detached OpenPGP signature (armored or binary) over {@code signed} for the image
     * {@code imageName}, with the keys trusted for that name. Refuses, with one line starting with
     * {@code subject} ("image /srv/app.aci"): a signature file that holds no signature; a signature
     * by a key that is not trusted for the name (naming its fingerprint and the
     * {@code bosun trust --prefix=...} command that would trust it); a signature that does not match
     * the content; a revoked or expired key; a weak hash.
     *
     * @param paths where the trusted keys are
     * @param imageName the name the image claims (its manifest name), which selects the keys
     * @param subject how messages name the signed thing, such as {@code image /srv/app.aci}
     * @param signed the signed bytes, read to the end
     * @param signature the detached signature
     * @return who signed it
     */
    Signer verify(RuntimePaths paths, String imageName, String subject, InputStream signed, InputStream signature);

    /**
     * Verifies an OpenPGP signed message (binary or armored, as {@code gpg --sign} and
     * {@code skopeo copy --sign-by} write it) with the keys trusted for {@code imageName}, and returns
     * the payload it carries. Refuses, with one line starting with {@code subject}, the same cases as
     * {@link #verify}, a message without a signature or without literal data, and a payload larger
     * than {@code maxPayload} bytes. The payload is returned only once its signature is good.
     *
     * @param paths where the trusted keys are
     * @param imageName the name that selects the keys
     * @param subject how messages name the signature, such as
     *        {@code signature 1 of image docker://host/app:1}
     * @param message the signed message
     * @param maxPayload the largest payload accepted
     * @return the payload and who signed it
     */
    SignedMessage verifyMessage(RuntimePaths paths, String imageName, String subject, InputStream message,
            int maxPayload);
}
