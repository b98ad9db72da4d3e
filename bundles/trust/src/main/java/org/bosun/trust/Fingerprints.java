package org.bosun.trust;

import java.util.HexFormat;
import java.util.Locale;

import org.bosun.api.BosunException;

/** Fingerprints as bosun writes them: upper case hex in messages, lower case hex as key file names (rkt). */
final class Fingerprints {
    private Fingerprints() {
    }

    static String display(byte[] fingerprint) {
        return HexFormat.of().withUpperCase().formatHex(fingerprint);
    }

    static String fileName(String fingerprint) {
        return fingerprint.toLowerCase(Locale.ROOT);
    }

    /** Whether {@code name} is a key file name: 40 (v4) or 64 (v5, v6) lower case hex digits. */
    static boolean isFileName(String name) {
        return (name.length() == 40 || name.length() == 64) && name.chars().allMatch(c -> c >= '0' && c <= '9' || c >= 'a' && c <= 'f');
    }

    /** A fingerprint the user typed, in any case, with or without spaces, as upper case hex. */
    static String parse(String typed) {
        String hex = typed.replace(" ", "").toUpperCase(Locale.ROOT);
        if (hex.startsWith("0X")) {
            hex = hex.substring(2);
        }
        if (!isFileName(hex.toLowerCase(Locale.ROOT))) {
            throw BosunException.invalid("'" + typed + "' is not a key fingerprint; give its 40 (or 64) hex digits,"
                    + " as 'bosun trust --list' shows them");
        }
        return hex;
    }
}
