package org.bosun.api;

/**
 * A failure with a message that is meant for the user: one line that names the object, what was
 * wrong with it and what to do about it. The message is kept to one line whatever it quotes: a
 * line break or other control character (from an image's manifest, a registry's answer, a file
 * name) is shown escaped, so untrusted input can neither add lines to bosun's output nor drive
 * the terminal.
 */
public class BosunException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final ErrorKind kind;

    public BosunException(ErrorKind kind, String message) {
        super(oneLine(message));
        this.kind = kind;
    }

    public BosunException(ErrorKind kind, String message, Throwable cause) {
        super(oneLine(message), cause);
        this.kind = kind;
    }

    /** {@code text} with every control character (and Unicode line or paragraph separator) escaped. */
    static String oneLine(String text) {
        if (text == null || text.chars().noneMatch(BosunException::isControl)) {
            return text;
        }
        StringBuilder sb = new StringBuilder(text.length() + 16);
        text.chars().forEach(c -> {
            switch (c) {
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (isControl(c)) {
                        sb.append(String.format("\\u%04x", c));
                    } else {
                        sb.append((char) c);
                    }
                }
            }
        });
        return sb.toString();
    }

    private static boolean isControl(int c) {
        return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == 0x2028 || c == 0x2029;
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
