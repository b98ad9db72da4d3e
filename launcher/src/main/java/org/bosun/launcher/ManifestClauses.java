package org.bosun.launcher;

import java.util.ArrayList;
import java.util.List;

/** Splits OSGi manifest headers into clauses, respecting quoted strings. */
final class ManifestClauses {
    private ManifestClauses() {
    }

    static List<String> split(String header) {
        List<String> clauses = new ArrayList<>();
        if (header == null) {
            return clauses;
        }
        StringBuilder current = new StringBuilder();
        boolean quoted = false;
        for (char c : header.toCharArray()) {
            if (c == '"') {
                quoted = !quoted;
            }
            if (c == ',' && !quoted) {
                clauses.add(current.toString().trim());
                current.setLength(0);
            } else {
                current.append(c);
            }
        }
        if (current.length() > 0) {
            clauses.add(current.toString().trim());
        }
        return clauses;
    }

    /** {@code p;version="1";uses:="a,b"} becomes {@code p;version="1"}: directives are dropped. */
    static String withoutDirectives(String clause) {
        StringBuilder sb = new StringBuilder();
        for (String part : splitParameters(clause)) {
            if (sb.length() == 0 || (!part.contains(":=") && part.contains("="))) {
                if (sb.length() > 0) {
                    sb.append(';');
                }
                sb.append(part.trim());
            }
        }
        return sb.toString();
    }

    private static List<String> splitParameters(String clause) {
        List<String> parts = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        boolean quoted = false;
        for (char c : clause.toCharArray()) {
            if (c == '"') {
                quoted = !quoted;
            }
            if (c == ';' && !quoted) {
                parts.add(current.toString());
                current.setLength(0);
            } else {
                current.append(c);
            }
        }
        parts.add(current.toString());
        return parts;
    }
}
