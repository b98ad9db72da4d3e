package org.bosun.api.stage1;

/**
 * What an engine supports.
 *
 * @param maxApps the most apps a pod may have on this engine
 * @param isolated whether apps get their own namespaces
 * @param supervised whether the engine records each app's exit status
 * @param privateNetwork whether the engine can run a pod in its own network namespace
 *        ({@link PodDirectory.Pod#netns()}); an engine without it runs pods only on the host's network
 */
public record EngineCapabilities(int maxApps, boolean isolated, boolean supervised, boolean privateNetwork) {

    /** Capabilities of an engine that does not say: isolated engines take a network namespace. */
    public EngineCapabilities(int maxApps, boolean isolated, boolean supervised) {
        this(maxApps, isolated, supervised, isolated);
    }
}
