package org.bosun.cni.executor;

import java.util.List;

/** The CNI versions the executor speaks, and their order. */
final class CniVersions {
    /** Every version whose configuration and result format the executor knows. */
    static final List<String> SUPPORTED = List.of("0.1.0", "0.2.0", "0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0");

    /** The three result formats: {@code ip4}/{@code ip6}; {@code ips} with {@code version}; {@code ips} without. */
    enum Format {
        LEGACY, V03, V1
    }

    private CniVersions() {
    }

    static boolean isSupported(String version) {
        return SUPPORTED.contains(version);
    }

    static Format format(String version) {
        if (compare(version, "0.3.0") < 0) {
            return Format.LEGACY;
        }
        return compare(version, "1.0.0") < 0 ? Format.V03 : Format.V1;
    }

    static boolean atLeast(String version, String minimum) {
        return compare(version, minimum) >= 0;
    }

    /** Compares two {@code major.minor.patch} versions; missing parts count as 0. */
    static int compare(String a, String b) {
        int[] x = parts(a);
        int[] y = parts(b);
        for (int i = 0; i < 3; i++) {
            if (x[i] != y[i]) {
                return Integer.compare(x[i], y[i]);
            }
        }
        return 0;
    }

    private static int[] parts(String version) {
        int[] parts = new int[3];
        String[] split = version.split("\\.", -1);
        for (int i = 0; i < Math.min(3, split.length); i++) {
            try {
                parts[i] = Integer.parseInt(split[i]);
            } catch (NumberFormatException e) {
                parts[i] = -1;
            }
        }
        return parts;
    }
}
