package org.bosun.image.oci.model;

import java.util.Locale;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * An OCI platform: operating system and architecture in Go's names ({@code linux}, {@code amd64}).
 *
 * @param architecture {@code amd64}, {@code arm64}, ...
 * @param os {@code linux}, ...
 * @param variant {@code v8} for arm64 and the like, or null
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Platform(String architecture, String os, String variant) {

    /** The platform this JVM runs on, in Go's names. */
    public static Platform host() {
        return new Platform(goArch(System.getProperty("os.arch")), "linux", null);
    }

    /** Java's {@code os.arch} in Go's (and so OCI's) names. */
    static String goArch(String javaArch) {
        return switch (javaArch.toLowerCase(Locale.ROOT)) {
            case "amd64", "x86_64" -> "amd64";
            case "aarch64", "arm64" -> "arm64";
            case "x86", "i386", "i686" -> "386";
            case "arm" -> "arm";
            case "ppc64le" -> "ppc64le";
            case "s390x" -> "s390x";
            case "riscv64" -> "riscv64";
            default -> javaArch;
        };
    }

    /** Whether an image built for {@code image} runs here: same os and architecture, any variant if unsaid. */
    public boolean runs(Platform image) {
        return image != null && os.equals(image.os) && architecture.equals(image.architecture)
                && (variant == null || image.variant == null || variant.equals(image.variant));
    }

    @Override
    public String toString() {
        return os + "/" + architecture + (variant == null ? "" : "/" + variant);
    }
}
