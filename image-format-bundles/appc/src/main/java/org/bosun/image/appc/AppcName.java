package org.bosun.image.appc;

import java.util.LinkedHashMap;
import java.util.Map;

import org.bosun.api.BosunException;

/**
 * An image asked for by name, as rkt takes it: {@code example.com/app:v1} (the tag is the
 * {@code version} label) or {@code example.com/app,version=v1,os=linux}. Without a version the
 * {@code latest} version is asked for, and any version is accepted. {@code os} and {@code arch}
 * default to this host's.
 *
 * @param name the image name
 * @param labels the labels discovery fills templates with
 * @param versionGiven whether the user named a version, which the image must then carry
 */
record AppcName(String name, Map<String, String> labels, boolean versionGiven) {
    static final String LATEST = "latest";

    AppcName {
        labels = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(labels));
    }

    static AppcName parse(String text) {
        String[] parts = text.split(",");
        String name = parts[0];
        Map<String, String> labels = new LinkedHashMap<>();
        int colon = name.lastIndexOf(':');
        if (colon > 0) {
            labels.put("version", name.substring(colon + 1));
            name = name.substring(0, colon);
        }
        for (int i = 1; i < parts.length; i++) {
            int eq = parts[i].indexOf('=');
            if (eq <= 0) {
                throw BosunException.invalid("image " + text + " has the label '" + parts[i] + "'; write labels as"
                        + " NAME,LABEL=VALUE (for example example.com/app,version=1.0)");
            }
            labels.put(parts[i].substring(0, eq), parts[i].substring(eq + 1));
        }
        if (!name.matches("[a-z0-9]+([-._~/][a-z0-9]+)*") || labels.containsValue("")) {
            throw BosunException.invalid("image " + text + " is not an appc image name; give a file, an https:// URL,"
                    + " docker://NAME, or a name such as example.com/app:1.0 (lower case letters, digits and -._~/)");
        }
        return of(name, labels);
    }

    /** {@code name} with {@code labels}, completed with the defaults. */
    static AppcName of(String name, Map<String, String> labels) {
        Map<String, String> all = new LinkedHashMap<>(labels);
        boolean versionGiven = all.containsKey("version");
        all.putIfAbsent("version", LATEST);
        all.putIfAbsent("os", "linux");
        all.putIfAbsent("arch", hostArch());
        return new AppcName(name, all, versionGiven);
    }

    /** The canonical reference under which the store remembers what this name resolved to. */
    String reference() {
        StringBuilder sb = new StringBuilder(name);
        labels.forEach((k, v) -> sb.append(',').append(k).append('=').append(v));
        return sb.toString();
    }

    /**
     * Whether a manifest of {@code imageName} with {@code imageLabels} is the image asked for: the
     * same name, and every label asked for present with the same value (the version only when the
     * user named one, since {@code latest} stands for whatever the newest is).
     */
    String mismatch(String imageName, Map<String, String> imageLabels) {
        if (!imageName.equals(name)) {
            return "is named " + imageName + ", not " + name;
        }
        for (Map.Entry<String, String> l : labels.entrySet()) {
            if (l.getKey().equals("version") && !versionGiven) {
                continue;
            }
            String value = imageLabels.get(l.getKey());
            if (value == null && (l.getKey().equals("os") || l.getKey().equals("arch"))) {
                continue; // a platform-neutral image; a wrong platform is refused when the manifest is read
            }
            if (!l.getValue().equals(value)) {
                return "has " + l.getKey() + " " + (value == null ? "missing" : "'" + value + "'") + ", not '"
                        + l.getValue() + "'";
            }
        }
        return null;
    }

    static String hostArch() {
        return switch (System.getProperty("os.arch")) {
            case "amd64", "x86_64" -> "amd64";
            case "aarch64" -> "aarch64";
            default -> System.getProperty("os.arch");
        };
    }

    @Override
    public String toString() {
        return name + (versionGiven ? ":" + labels.get("version") : "");
    }
}
