package org.bosun.api;

/**
 * The few classes of failure a caller can act on, as in containerd's errdefs. Each kind has the exit
 * code the CLI ends with and the gRPC status a gRPC server (CRI, API service) answers with; the
 * gRPC code is given as its number and its name, so nothing here depends on gRPC.
 */
public enum ErrorKind {
    /** A pod, image, engine or file that was named does not exist. */
    NOT_FOUND(2, 5, "NOT_FOUND"),
    /** Something with that name or identity exists already. */
    ALREADY_EXISTS(3, 6, "ALREADY_EXISTS"),
    /** The request itself is wrong: a bad flag, a malformed image, an unsafe archive entry. */
    INVALID_ARGUMENT(4, 3, "INVALID_ARGUMENT"),
    /** The request is well formed but the state does not allow it (a running pod cannot be removed). */
    FAILED_PRECONDITION(5, 9, "FAILED_PRECONDITION"),
    /**
     * A needed service or tool is missing or not reachable (no engine bundle, no registry, a bundle
     * being updated). Retrying later may succeed.
     */
    UNAVAILABLE(6, 14, "UNAVAILABLE"),
    /** The caller may not do this (a user who is not root asks the agent, a file it cannot read). */
    PERMISSION_DENIED(7, 7, "PERMISSION_DENIED"),
    /** The operation exists in the interface but this engine, format or server does not do it. */
    NOT_IMPLEMENTED(8, 12, "UNIMPLEMENTED"),
    /** The operation did not finish within its time limit; it may still have taken effect. */
    DEADLINE_EXCEEDED(9, 4, "DEADLINE_EXCEEDED"),
    /** A limit ran out: disk space, a range of ids, a quota. */
    RESOURCE_EXHAUSTED(10, 8, "RESOURCE_EXHAUSTED"),
    /** The caller gave up (it hung up, or asked to cancel) before the operation finished. */
    CANCELLED(11, 1, "CANCELLED"),
    /** A bug or an unexpected failure of the host. */
    INTERNAL(1, 13, "INTERNAL");

    private final int exitCode;
    private final int grpcCode;
    private final String grpcName;

    ErrorKind(int exitCode, int grpcCode, String grpcName) {
        this.exitCode = exitCode;
        this.grpcCode = grpcCode;
        this.grpcName = grpcName;
    }

    /** The exit code the CLI uses for this kind of error; never 0. */
    public int exitCode() {
        return exitCode;
    }

    /** The number of the gRPC status code ({@code google.rpc.Code}) for this kind; never 0 (OK). */
    public int grpcCode() {
        return grpcCode;
    }

    /** The name of that gRPC status code, as {@code io.grpc.Status.Code} spells it. */
    public String grpcName() {
        return grpcName;
    }
}
