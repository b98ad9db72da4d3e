package org.bosun.api.trust;

import java.time.Instant;
import java.util.List;

/**
 * An OpenPGP public key as read from a key file: what a user reviews before trusting it.
 *
 * @param fingerprint the primary key's fingerprint: 40 (v4) or 64 (v5, v6) upper case hex digits
 * @param userIds the user ids, primary first
 * @param subkeyFingerprints the fingerprints of its subkeys
 * @param created when the key was made
 * @param expires when the key expires, or null if it does not
 * @param revoked whether the key carries a valid revocation by itself
 */
public record OpenPgpKey(String fingerprint, List<String> userIds, List<String> subkeyFingerprints, Instant created,
        Instant expires, boolean revoked) {
    public OpenPgpKey {
        userIds = List.copyOf(userIds);
        subkeyFingerprints = List.copyOf(subkeyFingerprints);
    }

    /** The primary user id, or the empty string for a key without one. */
    public String userId() {
        return userIds.isEmpty() ? "" : userIds.get(0);
    }
}
