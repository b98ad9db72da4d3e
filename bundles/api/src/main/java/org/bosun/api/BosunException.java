package org.bosun.api;

/**
 * A failure with a message that is meant for the user: one line that names the object, what was
 * wrong with it and what to do about it.
 */
public class BosunException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final ErrorKind kind;

    public BosunException(ErrorKind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public BosunException(ErrorKind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public ErrorKind kind() {
        return kind;
    }

    public static BosunException notFound(String message) {
        return new BosunException(ErrorKind.NOT_FOUND, message);
    }

    public static BosunException invalid(String message) {
        return new BosunException(ErrorKind.INVALID_ARGUMENT, message);
    }

    public static BosunException precondition(String message) {
        return new BosunException(ErrorKind.FAILED_PRECONDITION, message);
    }

    public static BosunException unavailable(String message) {
        return new BosunException(ErrorKind.UNAVAILABLE, message);
    }

    public static BosunException permissionDenied(String message) {
        return new BosunException(ErrorKind.PERMISSION_DENIED, message);
    }

    public static BosunException notImplemented(String message) {
        return new BosunException(ErrorKind.NOT_IMPLEMENTED, message);
    }

    public static BosunException deadlineExceeded(String message) {
        return new BosunException(ErrorKind.DEADLINE_EXCEEDED, message);
    }

    public static BosunException resourceExhausted(String message) {
        return new BosunException(ErrorKind.RESOURCE_EXHAUSTED, message);
    }

    public static BosunException cancelled(String message) {
        return new BosunException(ErrorKind.CANCELLED, message);
    }

    public static BosunException internal(String message, Throwable cause) {
        return new BosunException(ErrorKind.INTERNAL, message, cause);
    }
}
