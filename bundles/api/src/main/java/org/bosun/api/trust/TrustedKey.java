package org.bosun.api.trust;

import java.nio.file.Path;

/**
 * A key in the key store.
 *
 * @param key the key
 * @param scope the images it is trusted for
 * @param origin which configuration directory holds it
 * @param file its file: {@code trustedkeys/root.d/<fingerprint>} or
 *        {@code trustedkeys/prefix.d/<prefix>/<fingerprint>}, fingerprint in lower case
 */
public record TrustedKey(OpenPgpKey key, TrustScope scope, Origin origin, Path file) {

    /** The configuration directory a key comes from. */
    public enum Origin {
        /** {@code --local-config} ({@code /etc/bosun}): the administrator's keys; they override system keys. */
        LOCAL,
        /** {@code --system-config} ({@code /usr/lib/bosun}): keys the vendor ships. */
        SYSTEM
    }
}
