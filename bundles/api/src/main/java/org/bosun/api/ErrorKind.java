package org.bosun.api;

/** The few classes of failure a caller can act on, as in containerd's errdefs. */
public enum ErrorKind {
    /** A pod, image, engine or file that was named does not exist. */
    NOT_FOUND(2),
    /** Something with that name or identity exists already. */
    ALREADY_EXISTS(3),
    /** The request itself is wrong: a bad flag, a malformed image, an unsafe archive entry. */
    INVALID_ARGUMENT(4),
    /** The request is well formed but the state does not allow it (a running pod cannot be removed). */
    FAILED_PRECONDITION(5),
    /** A needed service or tool is missing or not reachable (no engine bundle, no registry). */
    UNAVAILABLE(6),
    /** A bug or an unexpected failure of the host. */
    INTERNAL(1);

    private final int exitCode;

    ErrorKind(int exitCode) {
        this.exitCode = exitCode;
    }

    /** The exit code the CLI uses for this kind of error; never 0. */
    public int exitCode() {
        return exitCode;
    }
}
