package org.bosun.cri.streaming.server;

/**
 * The error stream's message of the v4 and v5 protocols: a Kubernetes {@code v1.Status} in JSON.
 * Success, a non-zero exit code (reason NonZeroExitCode with an ExitCode cause, which clients turn
 * into the command's exit code), or a failure with its message.
 */
final class ExitStatus {
    private ExitStatus() {
    }

    static String of(int exitCode) {
        if (exitCode == 0) {
            return "{\"metadata\":{},\"status\":\"Success\"}";
        }
        return "{\"metadata\":{},\"status\":\"Failure\",\"message\":\"command terminated with non-zero exit code: exit status "
                + exitCode + "\",\"reason\":\"NonZeroExitCode\",\"details\":{\"causes\":[{\"reason\":\"ExitCode\",\"message\":\""
                + exitCode + "\"}]}}";
    }

    static String failure(String message) {
        return "{\"metadata\":{},\"status\":\"Failure\",\"message\":\"" + escape(message)
                + "\",\"reason\":\"InternalError\",\"code\":500}";
    }

    static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length() + 8);
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.toString();
    }
}
