package org.bosun.cni.api;

/**
 * A cache entry: what an attachment was added with, and its result.
 *
 * @param network the configuration it was added with
 * @param attachment the runtime values it was added with
 * @param result the final result, or null when {@code ADD} did not finish (it was interrupted, or
 *        failed and could not be undone)
 */
public record CachedAttachment(NetworkConfig network, CniAttachment attachment, CniResult result) {
}
