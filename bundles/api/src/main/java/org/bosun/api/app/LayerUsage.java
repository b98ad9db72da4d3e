package org.bosun.api.app;

import java.time.Instant;

/**
 * What an app has written to its root filesystem: the overlay's upper directory, or the whole
 * rootfs where the app runs on a copy.
 *
 * @param timestamp when it was measured
 * @param mountpoint the mount point of the filesystem that holds it (a filesystem's identity, as
 *        kubelet matches it with the image filesystem)
 * @param usedBytes the bytes of its files (apparent sizes, each inode counted once)
 * @param inodesUsed its inodes (files, directories, links)
 * @since 1.1
 */
public record LayerUsage(Instant timestamp, String mountpoint, long usedBytes, long inodesUsed) {
}
