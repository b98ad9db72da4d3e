package org.bosun.api.security;

/**
 * A range of user (and group) ids of a user namespace: ids {@code container..container+size-1}
 * inside are ids {@code host..host+size-1} of the host.
 *
 * @param container the first id inside the namespace
 * @param host the first id on the host
 * @param size how many ids
 */
public record IdMapping(long container, long host, long size) {
    public IdMapping {
        if (container < 0 || host < 0 || size < 1) {
            throw new IllegalArgumentException("an id mapping needs ids from 0 and a size from 1, not container "
                    + container + ", host " + host + ", size " + size);
        }
    }
}
