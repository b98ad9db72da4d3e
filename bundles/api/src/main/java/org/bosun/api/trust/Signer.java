package org.bosun.api.trust;

import java.time.Instant;

/**
 * Who made a good signature.
 *
 * @param key the trusted primary key
 * @param signingKeyFingerprint the key that made the signature: the primary key or one of its subkeys
 * @param scope the scope through which the key is trusted for the image
 * @param signed when the signature was made
 */
public record Signer(OpenPgpKey key, String signingKeyFingerprint, TrustScope scope, Instant signed) {
}
