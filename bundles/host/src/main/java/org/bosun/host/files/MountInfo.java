package org.bosun.host.files;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One line of {@code /proc/PID/mountinfo}, the fields bosun reads: {@code ID PARENT MAJ:MIN ROOT
 * MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPEROPTIONS}. The kernel writes space, tab,
 * newline and backslash in a path as three octal digits; {@link #root} and {@link #mountPoint} are
 * unescaped.
 *
 * @param root the path of the mounted file system's directory that is the mount's root
 * @param mountPoint where it is mounted, in the reader's mount namespace
 * @param optionalFields the tagged fields on the mount's propagation ({@code shared:N}, {@code master:N}, ...)
 * @param fsType the file system's type ({@code cgroup}, {@code cgroup2}, {@code overlay}, ...)
 * @param superOptions the file system's own options (for a v1 cgroup hierarchy, its controllers among them)
 */
public record MountInfo(String root, Path mountPoint, List<String> optionalFields, String fsType,
        List<String> superOptions) {
    private static final Path SELF = Path.of("/proc/self/mountinfo");

    public MountInfo {
        optionalFields = List.copyOf(optionalFields);
        superOptions = List.copyOf(superOptions);
    }

    /** The mounts of this process's mount namespace, in mount order. */
    public static List<MountInfo> read() throws IOException {
        return parse(Files.readAllLines(SELF));
    }

    /** {@code lines} as mountinfo shows them; a line that is not one is skipped. */
    public static List<MountInfo> parse(List<String> lines) {
        List<MountInfo> mounts = new ArrayList<>();
        for (String line : lines) {
            MountInfo m = parse(line);
            if (m != null) {
                mounts.add(m);
            }
        }
        return mounts;
    }

    /** One mountinfo line; null if it is not one. */
    public static MountInfo parse(String line) {
        int dash = line.indexOf(" - ");
        if (dash < 0) {
            return null;
        }
        String[] before = line.substring(0, dash).split(" ");
        String[] after = line.substring(dash + 3).split(" ");
        if (before.length < 6 || after.length < 3) {
            return null;
        }
        return new MountInfo(unescape(before[3]), Path.of(unescape(before[4])),
                Arrays.asList(before).subList(6, before.length), after[0], Arrays.asList(after[2].split(",")));
    }

    private static String unescape(String field) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && i + 3 < field.length()) {
                sb.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
