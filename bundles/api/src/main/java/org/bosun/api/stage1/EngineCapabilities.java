package org.bosun.api.stage1;

/**
 * What an engine supports.
 *
 * @param maxApps the most apps a pod may have on this engine
 * @param isolated whether apps get their own namespaces
 * @param supervised whether the engine records each app's exit status
 */
public record EngineCapabilities(int maxApps, boolean isolated, boolean supervised) {
}
