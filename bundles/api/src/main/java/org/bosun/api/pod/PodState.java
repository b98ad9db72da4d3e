package org.bosun.api.pod;

/**
 * The states of a pod, as rkt named them. A pod's state is the directory it lives in plus whether
 * its lock is held; there is no other record that could disagree with it.
 */
public enum PodState {
    /** {@code embryo/}: a UUID has been reserved, nothing else exists yet. */
    EMBRYO("embryo"),
    /** {@code prepare/}, locked: a command is preparing it now. */
    PREPARING("preparing"),
    /** {@code prepare/}, unlocked: the preparing command died; gc removes it. */
    ABORTED_PREPARE("aborted prepare"),
    /** {@code prepared/}: ready for run-prepared. */
    PREPARED("prepared"),
    /** {@code run/}, locked by the pod's own process. */
    RUNNING("running"),
    /** {@code run/}, unlocked: the pod's process is gone. */
    EXITED("exited"),
    /** {@code exited-garbage/}: an exited pod that gc has marked and will delete after the grace period. */
    EXITED_GARBAGE("exited garbage"),
    /** {@code garbage/}: an aborted or expired pod that never ran; gc deletes it. */
    GARBAGE("garbage");

    private final String label;

    PodState(String label) {
        this.label = label;
    }

    /** The name users see in {@code list} and {@code status}. */
    public String label() {
        return label;
    }

    /** True when the pod's processes can no longer be running. */
    public boolean isFinished() {
        return this == EXITED || this == EXITED_GARBAGE || this == GARBAGE || this == ABORTED_PREPARE;
    }
}
