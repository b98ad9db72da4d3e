package org.bosun.api.security;

/**
 * An app's SELinux labels.
 *
 * @param process the label its processes run with ({@code user:role:type:level}), or null for the engine's
 * @param mount the label of the file systems mounted for it, or null for the engine's
 */
public record SelinuxLabels(String process, String mount) {
    /** No labels: the engine's defaults. */
    public static final SelinuxLabels NONE = new SelinuxLabels(null, null);
}
