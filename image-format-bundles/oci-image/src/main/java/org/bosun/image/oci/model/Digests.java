package org.bosun.image.oci.model;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

import org.bosun.api.BosunException;

/** OCI content digests: bosun's store keeps sha256 content, so only {@code sha256:<64 hex>} is accepted. */
public final class Digests {
    private static final Pattern SHA256 = Pattern.compile("sha256:[a-f0-9]{64}");

    private Digests() {
    }

    /** Whether {@code digest} is a well-formed sha256 digest. */
    public static boolean valid(String digest) {
        return digest != null && SHA256.matcher(digest).matches();
    }

    /** Returns {@code digest}, or refuses it naming {@code subject} (which is also a safe path part then). */
    public static String check(String digest, String subject) {
        if (!valid(digest)) {
            throw BosunException.invalid(subject + " names the digest '" + digest + "'; bosun reads sha256:<64 hex digits>"
                    + " digests only");
        }
        return digest;
    }

    /** The sha256 digest of {@code bytes}, as {@code sha256:<hex>}. */
    public static String sha256(byte[] bytes) {
        return "sha256:" + HexFormat.of().formatHex(newSha256().digest(bytes));
    }

    public static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    /** The hex part of a digest. */
    public static String hex(String digest) {
        return digest.substring(digest.indexOf(':') + 1);
    }
}
