package org.bosun.api;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/** What {@code --insecure-options} can switch off, with rkt's names and groups. */
public enum InsecureOption {
    IMAGE, TLS, HTTP, PUBKEY, ONDISK, CAPABILITIES, PATHS, SECCOMP;

    /** The option's name on the command line. */
    public String flagName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses a comma-separated list such as {@code image,tls} or the groups {@code all-fetch},
     * {@code all-run} and {@code all}; {@code none} and the empty string give the empty set.
     */
    public static Set<InsecureOption> parse(String list) {
        Set<InsecureOption> result = EnumSet.noneOf(InsecureOption.class);
        if (list == null) {
            return result;
        }
        for (String raw : list.split(",")) {
            String word = raw.trim().toLowerCase(Locale.ROOT);
            switch (word) {
                case "", "none" -> { }
                case "all-fetch" -> result.addAll(EnumSet.of(IMAGE, TLS, HTTP, PUBKEY));
                case "all-run", "run-all" -> result.addAll(EnumSet.of(ONDISK, CAPABILITIES, PATHS, SECCOMP));
                case "all" -> result.addAll(EnumSet.allOf(InsecureOption.class));
                default -> {
                    InsecureOption option = byFlagName(word);
                    if (option == null) {
                        throw BosunException.invalid("unknown insecure option '" + raw.trim()
                                + "' in --insecure-options; valid are image, tls, http, pubkey, ondisk,"
                                + " capabilities, paths, seccomp, all-fetch, all-run, all, none");
                    }
                    result.add(option);
                }
            }
        }
        return result;
    }

    private static InsecureOption byFlagName(String word) {
        for (InsecureOption option : values()) {
            if (option.flagName().equals(word)) {
                return option;
            }
        }
        return null;
    }
}
