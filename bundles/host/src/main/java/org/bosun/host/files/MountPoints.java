package org.bosun.host.files;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The mount points of this process's mount namespace, from {@code /proc/self/mountinfo}. */
public final class MountPoints {
    private static final Path MOUNTINFO = Path.of("/proc/self/mountinfo");

    private MountPoints() {
    }

    /**
     * Every mount point at or below {@code dir}, in mount order. mountinfo names real paths, so
     * {@code dir} must be one too (see {@link FileTree#delete}).
     */
    public static List<Path> under(Path dir) throws IOException {
        List<Path> found = new ArrayList<>();
        for (String line : Files.readAllLines(MOUNTINFO)) {
            // ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS ...
            String[] fields = line.split(" ");
            if (fields.length > 4) {
                Path mountPoint = Path.of(unescape(fields[4]));
                if (mountPoint.startsWith(dir)) {
                    found.add(mountPoint);
                }
            }
        }
        return found;
    }

    // mountinfo escapes space, tab, newline and backslash as three octal digits.
    private static String unescape(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 3 < s.length()) {
                sb.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
