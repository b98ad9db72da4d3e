package org.bosun.api.app;

/**
 * What one app uses: its cgroups (null while it does not run) and its writable layer.
 *
 * @since 1.1
 */
public record AppStats(String app, ResourceUsage usage, LayerUsage writableLayer) {
}
