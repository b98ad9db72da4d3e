package org.bosun.api.image;

import java.util.Set;

import org.bosun.api.InsecureOption;
import org.bosun.api.RuntimePaths;

/**
 * How to fetch: where the store and trust configuration are, and which checks are off.
 *
 * @param paths data and configuration directories
 * @param insecureOptions checks the user switched off
 * @param pullPolicy {@code new}, {@code update} or {@code never}
 */
public record FetchOptions(RuntimePaths paths, Set<InsecureOption> insecureOptions, String pullPolicy) {
    public FetchOptions {
        insecureOptions = Set.copyOf(insecureOptions);
    }
}
