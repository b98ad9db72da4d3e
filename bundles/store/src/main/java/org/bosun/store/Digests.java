package org.bosun.store;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.bosun.api.BosunException;

/**
 * The two digest spellings the store speaks: {@code sha256:<hex>} (OCI, Docker) and
 * {@code sha512-<hex>} (appc image ids). Either separator is accepted on input; output uses the
 * spelling of the algorithm's ecosystem.
 */
final class Digests {
    private static final Pattern DIGEST = Pattern.compile("(sha256|sha512)[:-]([0-9a-f]+)");

    private Digests() {
    }

    /** A parsed digest. */
    record Digest(String algorithm, String hex) {
        @Override
        public String toString() {
            return format(algorithm, hex);
        }
    }

    static Digest parse(String digest) {
        Matcher m = digest == null ? null : DIGEST.matcher(digest);
        if (m == null || !m.matches() || m.group(2).length() != hexLength(m.group(1))) {
            throw BosunException.invalid("'" + digest + "' is not a digest; expected sha256:<64 hex digits> or"
                    + " sha512-<128 hex digits>");
        }
        return new Digest(m.group(1), m.group(2));
    }

    static String format(String algorithm, String hex) {
        return algorithm.equals("sha512") ? "sha512-" + hex : algorithm + ":" + hex;
    }

    static String format(String algorithm, byte[] digest) {
        return format(algorithm, HexFormat.of().formatHex(digest));
    }

    static String checkAlgorithm(String algorithm) {
        if (!"sha256".equals(algorithm) && !"sha512".equals(algorithm)) {
            throw BosunException.invalid("unknown digest algorithm '" + algorithm + "'; the store keeps sha256 and sha512");
        }
        return algorithm;
    }

    static int hexLength(String algorithm) {
        return algorithm.equals("sha512") ? 128 : 64;
    }

    static MessageDigest newDigest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm.equals("sha512") ? "SHA-512" : "SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
