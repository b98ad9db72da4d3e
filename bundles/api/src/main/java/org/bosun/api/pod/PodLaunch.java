package org.bosun.api.pod;

import java.nio.file.Path;

import org.bosun.api.stage1.EngineCommand;

/**
 * How to start a prepared pod: the caller takes the pod's lock, moves it from {@code preparedDir}
 * to {@code runDir}, writes its own pid to {@code pidFile} and then replaces itself with
 * {@code command}, keeping the lock open. Doing that in the caller (not in a service) keeps the
 * pod in the caller's process tree and cgroup.
 *
 * @param uuid the pod
 * @param preparedDir where the pod is now
 * @param runDir where it moves to
 * @param lockFileName the lock file's name inside the pod directory
 * @param pidFileName the pid file's name inside the pod directory
 * @param command the stage1 process, with paths already inside {@code runDir}
 */
public record PodLaunch(String uuid, Path preparedDir, Path runDir, String lockFileName, String pidFileName,
        EngineCommand command) {
}
