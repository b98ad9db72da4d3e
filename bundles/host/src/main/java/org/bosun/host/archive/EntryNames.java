package org.bosun.host.archive;

import java.util.ArrayList;
import java.util.List;

/**
 * Names inside an archive read as written, without a tree: what a relative link target names, and
 * whether it climbs above the archive's top (rule 2 of {@link org.bosun.host.archive}).
 */
public final class EntryNames {
    private EntryNames() {
    }

    /**
     * {@code path} with its {@code .}, empty and {@code ..} components applied as written, as a
     * clean relative name ({@code ""} for the top); null when it is absolute, holds a NUL or climbs
     * above the top.
     */
    public static String normalize(String path) {
        if (path.startsWith("/") || path.indexOf('\0') >= 0) {
            return null;
        }
        List<String> parts = new ArrayList<>();
        for (String part : path.split("/")) {
            if (part.equals("..")) {
                if (parts.isEmpty()) {
                    return null;
                }
                parts.remove(parts.size() - 1);
            } else if (!part.isEmpty() && !part.equals(".")) {
                parts.add(part);
            }
        }
        return String.join("/", parts);
    }

    /**
     * The name that the relative {@code target} of the link {@code linkName} (a clean entry name)
     * names, read as written from the link's directory; null when it climbs above the top.
     */
    public static String linkTarget(String linkName, String target) {
        int slash = linkName.lastIndexOf('/');
        return normalize(slash < 0 ? target : linkName.substring(0, slash + 1) + target);
    }
}
