package org.bosun.core;

import org.bosun.api.pod.AppState;
import org.bosun.api.pod.PodState;

/**
 * An app's state, told from what its engine recorded in the pod ({@code apps/NAME/started} and
 * {@code apps/NAME/status}, see {@link org.bosun.api.stage1.Stage1Engine}) and the pod's own
 * state. The core knows nothing else of how an engine runs its apps.
 */
final class AppStates {
    private AppStates() {
    }

    /**
     * @param pod the pod's state
     * @param started whether the engine recorded the app's start
     * @param exited whether the engine recorded the app's exit code
     */
    static AppState of(PodState pod, boolean started, boolean exited) {
        if (exited) {
            return AppState.EXITED;
        }
        return switch (pod) {
            case EMBRYO, PREPARING, PREPARED -> AppState.PREPARED;
            case RUNNING -> started ? AppState.RUNNING : AppState.STARTING;
            // The pod's processes are gone, the app's with them; an app that never reported a start
            // either never ran or ran under an engine that does not say.
            case EXITED, EXITED_GARBAGE, GARBAGE, ABORTED_PREPARE -> started ? AppState.EXITED : AppState.UNKNOWN;
        };
    }
}
