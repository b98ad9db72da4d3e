package org.bosun.core;

import java.util.List;

import org.bosun.api.RuntimePaths;
import org.bosun.host.TestPause;

/**
 * The core's named points where a bosun process stops and waits for the kill -9 tests (itest
 * {@code KillNineIT}); the mechanism, and when a point pauses, is {@link TestPause}'s. The points,
 * in the order an operation meets them.
 */
final class TestPauses {
    /** run/prepare: an image is in the store (fetched or found) and pinned; nothing of the app is made yet. */
    static final String PREPARE_IMAGE = "prepare-image";
    /** run/prepare: the pod's netns, addresses and port forwards exist; the engine has not prepared it. */
    static final String PREPARE_NETWORK = "prepare-network";
    /** run: the pod is prepared and about to be handed to the launcher, which claims it and execs. */
    static final String LAUNCH = "launch";
    /** stop: the pod is running; its engine has not been asked to stop it yet. */
    static final String STOP = "stop";
    /** gc, rm: a pod is marked garbage and about to be collected (network, engine, security, files). */
    static final String COLLECT = "collect";
    /**
     * app add: the app is rendered in {@code apps/NAME} and its engine has added it; the manifest
     * does not list it yet (under the pod's apps lock).
     */
    static final String APP_ADD = "app-add";
    /** app start: the app is marked to start; its engine has not been asked to start it (apps lock held). */
    static final String APP_START = "app-start";
    /** app stop: the app runs; its engine has not been asked to stop it (apps lock held). */
    static final String APP_STOP = "app-stop";
    /** app rm: the engine has removed the app; the manifest still lists it and its files are there (apps lock held). */
    static final String APP_RM = "app-rm";
    static final List<String> POINTS = List.of(PREPARE_IMAGE, PREPARE_NETWORK, LAUNCH, STOP, COLLECT, APP_ADD,
            APP_START, APP_STOP, APP_RM);

    private TestPauses() {
    }

    /** Pauses at {@code point} if the data directory's {@code test-pause} names it. */
    static void at(RuntimePaths paths, String point) {
        TestPause.at(paths.dataDir(), point);
    }
}
