package org.bosun.api.trust;

import java.util.regex.Pattern;

import org.bosun.api.BosunException;

/**
 * Which images a key is trusted for: every image ({@linkplain #root() root}), or the images whose
 * names start with a prefix, path segment by path segment: prefix {@code example.com/app} covers
 * {@code example.com/app} and {@code example.com/app/worker}, never {@code example.com/apple}.
 *
 * @param prefix the image name prefix, or null for root
 */
public record TrustScope(String prefix) {
    /**
     * An appc ACIdentifier, plus {@code :} for a registry port: lower case letters and digits in
     * runs separated by one of {@code -._~/:}. It can never hold {@code ..} or an empty segment, so
     * it is also a safe relative path in the key store.
     */
    private static final Pattern PREFIX = Pattern.compile("[a-z0-9]+([-._~/:][a-z0-9]+)*");
    private static final TrustScope ROOT = new TrustScope(null);

    public TrustScope {
        if (prefix != null && !PREFIX.matcher(prefix).matches()) {
            throw BosunException.invalid("'" + prefix + "' is not a valid image name prefix; use lower case letters,"
                    + " digits and -._~/: as in example.com/app");
        }
    }

    /** Trusted for every image. */
    public static TrustScope root() {
        return ROOT;
    }

    /** Trusted for the images named {@code prefix} or below it; a trailing {@code /} is ignored. */
    public static TrustScope prefix(String prefix) {
        if (prefix == null || prefix.isEmpty()) {
            throw BosunException.invalid("empty image name prefix; give one such as example.com/app, or trust a root key");
        }
        String p = prefix;
        while (p.endsWith("/") && p.length() > 1) {
            p = p.substring(0, p.length() - 1);
        }
        return new TrustScope(p);
    }

    public boolean isRoot() {
        return prefix == null;
    }

    /** Whether a key trusted for this scope is trusted for the image {@code imageName}. */
    public boolean covers(String imageName) {
        return prefix == null || imageName.equals(prefix) || imageName.startsWith(prefix + "/");
    }

    /** {@code root} or {@code prefix example.com/app}, for messages. */
    @Override
    public String toString() {
        return prefix == null ? "root" : "prefix " + prefix;
    }
}
