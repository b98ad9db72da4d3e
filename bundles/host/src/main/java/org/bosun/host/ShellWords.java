package org.bosun.host;

/** POSIX shell words: the one quoting every bundle uses when a value must pass through {@code sh}. */
public final class ShellWords {
    private ShellWords() {
    }

    /** {@code s} as one single-quoted shell word that {@code sh} reads back unchanged. */
    public static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
