package org.bosun.api.security;

import java.nio.file.Path;
import java.util.Objects;

import org.bosun.api.RuntimePaths;
import org.bosun.api.stage1.EngineCommand;
import org.bosun.api.stage1.PodDirectory;

/**
 * What is about to run, as {@link SecurityModule#measure} sees it: the pod as prepared, its
 * manifest as recorded, and the engine process that will run it.
 *
 * @param paths the command's data and configuration directories
 * @param pod the pod, with paths in its prepared directory (its apps' rootfs, image trees and
 *        overlay upper directories are there and complete)
 * @param manifest the pod manifest file ({@code pod}) as recorded at prepare time
 * @param engineName the stage1 engine that will run the pod
 * @param engineVersion the version of the engine's bundle that made {@code command}
 * @param command the engine process the caller will exec (its paths point into the run directory)
 */
public record PodMeasurement(RuntimePaths paths, PodDirectory pod, Path manifest, String engineName,
        String engineVersion, EngineCommand command) {
    public PodMeasurement {
        Objects.requireNonNull(paths, "paths");
        Objects.requireNonNull(pod, "pod");
        Objects.requireNonNull(manifest, "manifest");
        Objects.requireNonNull(engineName, "engineName");
        Objects.requireNonNull(command, "command");
    }
}
