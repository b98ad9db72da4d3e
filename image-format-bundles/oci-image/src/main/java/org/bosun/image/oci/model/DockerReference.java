package org.bosun.image.oci.model;

import java.util.regex.Pattern;

import org.bosun.api.BosunException;

/**
 * A Docker image reference, normalised as docker does: {@code busybox} is
 * {@code docker.io/library/busybox:latest}; {@code host:5000/test/app:1},
 * {@code host/app@sha256:...}. The domain is the first component when it holds a dot or a colon or
 * is {@code localhost}.
 *
 * @param domain the registry's name as written ({@code docker.io}, {@code 127.0.0.1:5000})
 * @param path the repository path ({@code library/busybox})
 * @param tag the tag, or null when only a digest is given
 * @param digest {@code sha256:...}, or null
 */
public record DockerReference(String domain, String path, String tag, String digest) {
    public static final String DOCKER_HUB = "docker.io";
    private static final Pattern COMPONENT = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*");
    private static final Pattern DOMAIN = Pattern.compile(
            "(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?");
    private static final Pattern TAG = Pattern.compile("[\\w][\\w.-]{0,127}");

    /** Parses a reference (without {@code docker://}); a reference without tag or digest gets {@code latest}. */
    public static DockerReference parse(String reference) {
        if (reference == null || reference.isEmpty() || reference.length() > 4096) {
            throw invalid(reference, "is empty or too long");
        }
        String rest = reference;
        String digest = null;
        int at = rest.indexOf('@');
        if (at >= 0) {
            digest = rest.substring(at + 1);
            rest = rest.substring(0, at);
            if (!Digests.valid(digest)) {
                throw invalid(reference, "has the digest '" + digest + "'; give @sha256:<64 hex digits>");
            }
        }
        String tag = null;
        int colon = rest.lastIndexOf(':');
        if (colon > rest.lastIndexOf('/')) {
            tag = rest.substring(colon + 1);
            rest = rest.substring(0, colon);
            if (!TAG.matcher(tag).matches()) {
                throw invalid(reference, "has the tag '" + tag + "'; tags are letters, digits, _ . - (up to 128)");
            }
        }
        String domain = DOCKER_HUB;
        String path = rest;
        int slash = rest.indexOf('/');
        if (slash > 0) {
            String first = rest.substring(0, slash);
            if (first.contains(".") || first.contains(":") || first.equals("localhost")) {
                domain = first;
                path = rest.substring(slash + 1);
            }
        }
        if (domain.equals("index.docker.io")) {
            domain = DOCKER_HUB;
        }
        if (!DOMAIN.matcher(domain).matches()) {
            throw invalid(reference, "has the registry '" + domain + "', which is not a host[:port]");
        }
        if (domain.equals(DOCKER_HUB) && !path.contains("/")) {
            path = "library/" + path;
        }
        for (String component : path.split("/", -1)) {
            if (!COMPONENT.matcher(component).matches()) {
                throw invalid(reference, "has the repository '" + path + "'; repository names are lower case letters,"
                        + " digits and separators (. _ __ -) between them, in /-separated parts");
            }
        }
        if (tag == null && digest == null) {
            tag = "latest";
        }
        return new DockerReference(domain, path, tag, digest);
    }

    private static BosunException invalid(String reference, String what) {
        return BosunException.invalid("image reference '" + reference + "' " + what);
    }

    /** {@code domain/path}: the image name bosun stores and trusts keys for. */
    public String repository() {
        return domain + "/" + path;
    }

    /** The same repository with another digest and no tag. */
    public DockerReference withDigest(String newDigest) {
        return new DockerReference(domain, path, null, newDigest);
    }

    /** The tag, or the digest when there is no tag: what a registry's manifest URL takes. */
    public String tagOrDigest() {
        return digest != null ? digest : tag;
    }

    /** The host to connect to: Docker Hub's registry is {@code registry-1.docker.io}. */
    public String registryHost() {
        return domain.equals(DOCKER_HUB) ? "registry-1.docker.io" : domain;
    }

    /** {@code domain/path[:tag][@digest]}, fully qualified. */
    @Override
    public String toString() {
        return repository() + (tag == null ? "" : ":" + tag) + (digest == null ? "" : "@" + digest);
    }
}
