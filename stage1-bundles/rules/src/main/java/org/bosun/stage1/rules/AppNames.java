package org.bosun.stage1.rules;

import java.util.regex.Pattern;

import org.bosun.api.BosunException;
import org.bosun.api.stage1.PodDirectory;

/**
 * An app's name as an engine uses it: in file names, unit names, container ids and the lines of
 * the files its scripts read. The core gives only appc ACNames; an engine still checks at its own
 * boundary, since what it writes is only as safe as the names in it.
 */
public final class AppNames {
    /** appc's ACName: lower case letters and digits, single dashes between them. */
    private static final Pattern AC_NAME = Pattern.compile("[a-z0-9]+(-[a-z0-9]+)*");

    private AppNames() {
    }

    public static boolean isAcName(String name) {
        return name != null && AC_NAME.matcher(name).matches();
    }

    /** Refuses, in one line, an app whose name is not an ACName. */
    public static void require(PodDirectory pod, PodDirectory.App app) {
        if (!isAcName(app.name())) {
            throw BosunException.invalid("app '" + printable(app.name()) + "' of pod " + pod.uuid() + ": the name is not"
                    + " lower case letters, digits and single dashes (an appc ACName); give the app such a name with --name");
        }
    }

    /** The name with its control characters escaped, so that the message stays one line. */
    private static String printable(String name) {
        StringBuilder sb = new StringBuilder();
        for (char c : name.toCharArray()) {
            sb.append(c < 0x20 || c == 0x7f ? String.format("\\x%02x", (int) c) : String.valueOf(c));
        }
        return sb.toString();
    }
}
