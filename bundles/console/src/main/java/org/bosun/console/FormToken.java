package org.bosun.console;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * The console's protection against cross-site requests for bosun's actions. The browser sends the web
 * console's basic credentials with any request to its origin, a forged one from another site too; so each
 * form that changes something carries a secret token made when the plugin started, which another site's
 * page cannot read, and a POST counts only with it, and only when the browser does not say the request
 * comes from another origin (Origin, Sec-Fetch-Site).
 */
final class FormToken {
    static final String FIELD = "bosun-token";

    private final String value;

    FormToken() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        value = HexFormat.of().formatHex(bytes);
    }

    String value() {
        return value;
    }

    /** Why a POST does not count, or null when it does. */
    String refusal(String token, String origin, String secFetchSite, String scheme, String host) {
        if (secFetchSite != null && !secFetchSite.equals("same-origin") && !secFetchSite.equals("none")) {
            return "refused: the request came from another site (Sec-Fetch-Site: " + secFetchSite + ")";
        }
        if (origin != null && !origin.equals("null") && host != null && !origin.equalsIgnoreCase(scheme + "://" + host)) {
            return "refused: the request came from " + origin + ", not from this console";
        }
        if (token == null || !MessageDigest.isEqual(token.getBytes(StandardCharsets.UTF_8),
                value.getBytes(StandardCharsets.UTF_8))) {
            return "refused: the form's token is missing or stale; reload the page and try again";
        }
        return null;
    }
}
