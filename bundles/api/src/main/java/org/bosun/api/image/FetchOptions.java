package org.bosun.api.image;

import java.util.Set;

import org.bosun.api.InsecureOption;
import org.bosun.api.RuntimePaths;

/**
 * How to fetch: where the store and trust configuration are, and which checks are off.
 *
 * @param paths data and configuration directories
 * @param insecureOptions checks the user switched off
 * @param pullPolicy {@code new} (fetch unless stored), {@code update} (check the source again) or
 *        {@code never} (only the store)
 * @param progress where to report download progress
 * @param signature a local detached signature file ({@code --signature}) that verifies the image
 *        fetched (not its dependencies) instead of the one beside it or at its URL; null for those
 */
public record FetchOptions(RuntimePaths paths, Set<InsecureOption> insecureOptions, String pullPolicy,
        Progress progress, java.nio.file.Path signature) {
    public FetchOptions {
        insecureOptions = Set.copyOf(insecureOptions);
        progress = progress == null ? Progress.NONE : progress;
        pullPolicy = pullPolicy == null ? "new" : pullPolicy;
    }

    public FetchOptions(RuntimePaths paths, Set<InsecureOption> insecureOptions, String pullPolicy) {
        this(paths, insecureOptions, pullPolicy, Progress.NONE);
    }

    public FetchOptions(RuntimePaths paths, Set<InsecureOption> insecureOptions, String pullPolicy,
            Progress progress) {
        this(paths, insecureOptions, pullPolicy, progress, null);
    }
}
