package org.bosun.core;

import java.util.Set;

import org.bosun.api.BosunException;
import org.bosun.api.image.ImageManifest;

/**
 * rkt's rule for the image of an app: its manifest must say the os and the architecture it was
 * built for, and they must be this host's. Dependencies (layers below an app's image) need not say
 * either. Architectures go by appc's names and by Go's (OCI's), which differ for arm64.
 */
final class ImagePlatform {
    private ImagePlatform() {
    }

    static void check(ImageManifest manifest, String image) {
        String os = manifest.labels().get("os");
        String arch = manifest.labels().get("arch");
        String host = "linux/" + hostArchitectures().iterator().next();
        String subject = "image " + image + (image.equals(manifest.name()) ? "" : " (" + manifest.name() + ")");
        if (os == null || arch == null) {
            throw BosunException.invalid(subject + " does not say which " + (os == null && arch == null ? "os and arch"
                    : os == null ? "os" : "arch") + " it is built for; give its manifest the labels os=linux and arch="
                    + hostArchitectures().iterator().next() + " (rkt refused it too)");
        }
        if (!os.equals("linux") || !hostArchitectures().contains(arch)) {
            throw BosunException.invalid(subject + " is built for " + os + "/" + arch + ", and this host runs " + host
                    + "; run an image built for " + host);
        }
    }

    /** This host's architecture, appc's name first. */
    static Set<String> hostArchitectures() {
        String arch = System.getProperty("os.arch");
        return switch (arch) {
            case "amd64", "x86_64" -> new java.util.LinkedHashSet<>(java.util.List.of("amd64", "x86_64"));
            case "aarch64", "arm64" -> new java.util.LinkedHashSet<>(java.util.List.of("aarch64", "arm64"));
            default -> Set.of(arch);
        };
    }
}
