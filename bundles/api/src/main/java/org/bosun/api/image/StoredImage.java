package org.bosun.api.image;

import java.time.Instant;

/**
 * An image in the store's index.
 *
 * @param id content id
 * @param name image name
 * @param importTime when it was fetched
 * @param lastUsed when a pod last used it
 * @param size bytes on disk
 */
public record StoredImage(String id, String name, Instant importTime, Instant lastUsed, long size) {
}
