package org.bosun.api.image;

import java.nio.file.Path;
import java.util.Locale;

import org.bosun.api.BosunException;

/**
 * An image reference split into its scheme and the rest: {@code docker://busybox:1} is scheme
 * {@code docker}; {@code ./busybox.aci} and {@code file:///x.aci} are scheme {@code file}.
 *
 * @param original the reference as the user wrote it
 * @param scheme the scheme that selects the image format
 * @param location what follows the scheme (an absolute path for {@code file})
 */
public record ImageReference(String original, String scheme, String location) {
    private static final java.util.Set<String> KNOWN_SCHEMES =
            java.util.Set.of("docker", "oci", "oci-archive", "docker-archive", "http", "https", "file", "appc");

    private static final java.util.Set<String> LOCAL_SCHEMES = java.util.Set.of("oci", "oci-archive", "docker-archive");

    /** Splits a reference; relative paths are resolved against {@code cwd}. */
    public static ImageReference parse(String reference, Path cwd) {
        if (reference == null || reference.isBlank()) {
            throw BosunException.invalid("empty image reference; give a file, docker://NAME or another image reference");
        }
        if (reference.startsWith("file://")) {
            return new ImageReference(reference, "file", cwd.resolve(reference.substring(7)).normalize().toString());
        }
        if (reference.startsWith("/") || reference.startsWith(".")) {
            return new ImageReference(reference, "file", cwd.resolve(reference).normalize().toString());
        }
        int colon = reference.indexOf(':');
        if (colon > 0) {
            String scheme = reference.substring(0, colon).toLowerCase(Locale.ROOT);
            String rest = reference.substring(colon + 1);
            // Only known schemes, or anything written as scheme://: "coreos.com/etcd:v3" is a name.
            if (KNOWN_SCHEMES.contains(scheme) || (rest.startsWith("//") && scheme.matches("[a-z][a-z0-9+.-]*"))) {
                if (scheme.equals("https") || scheme.equals("http")) {
                    return new ImageReference(reference, scheme, reference);
                }
                if (LOCAL_SCHEMES.contains(scheme) && !rest.startsWith("/") && !rest.isEmpty()) {
                    // oci:DIR[:REF], oci-archive:FILE[:REF], docker-archive:FILE[:REF] name local paths.
                    return new ImageReference(reference, scheme, cwd.resolve(rest).normalize().toString());
                }
                return new ImageReference(reference, scheme, rest.startsWith("//") ? rest.substring(2) : rest);
            }
        }
        if (reference.endsWith(".aci")) {
            return new ImageReference(reference, "file", cwd.resolve(reference).normalize().toString());
        }
        // A bare name like "example.com/app:v1" is appc discovery, as in rkt.
        return new ImageReference(reference, "appc", reference);
    }

    /**
     * Whether the image is an ACI that a detached signature file verifies ({@code --signature}): a
     * file, an http(s) URL or an appc name. Docker and OCI images are verified by their own format's rules.
     *
     * @since 1.2
     */
    public boolean verifiedByDetachedSignature() {
        return DETACHED_SIGNATURE_SCHEMES.contains(scheme);
    }

    private static final java.util.Set<String> DETACHED_SIGNATURE_SCHEMES = java.util.Set.of("file", "http", "https", "appc");

    @Override
    public String toString() {
        return original;
    }
}
