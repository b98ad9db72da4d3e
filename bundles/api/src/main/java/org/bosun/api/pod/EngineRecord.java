package org.bosun.api.pod;

/**
 * Which engine prepared a pod, kept in the pod so that a later version of the engine's bundle can
 * still stop, enter and collect it.
 *
 * @param name the engine name ({@code fly}, {@code nspawn}, ...)
 * @param bundleVersion the version of the bundle that prepared the pod
 * @param abiVersion the on-disk contract between the engine and its pods; an engine manages
 *        every pod with an ABI version it supports
 */
public record EngineRecord(String name, String bundleVersion, int abiVersion) {
}
