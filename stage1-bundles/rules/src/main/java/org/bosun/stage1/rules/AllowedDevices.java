package org.bosun.stage1.rules;

import java.util.List;

/**
 * The devices an app may use, as the OCI runtimes allow them by default (runc's and crun's list):
 * any device node may be created ({@code mknod}, so that an image's own /dev entries and an app
 * that makes its nodes work), but only these may be opened: null, zero, full, random, urandom,
 * tty, console, ptmx and the pseudo-terminals. Everything else, the host's disks, loop devices,
 * consoles and the like, is refused when opened, whatever node names it and whoever made it. The
 * fuse device ({@code c 10:229}) would be the one to add for an app that asks for it; no option
 * asks for it yet, so no app gets it.
 */
public final class AllowedDevices {
    /** Any major or minor number. */
    public static final int ANY = -1;

    /**
     * One allowed device or class of devices.
     *
     * @param type {@code 'c'} (character) or {@code 'b'} (block)
     * @param major the major number, or {@link #ANY}
     * @param minor the minor number, or {@link #ANY}
     * @param access what is allowed: {@code r} read, {@code w} write, {@code m} mknod
     */
    public record Rule(char type, int major, int minor, String access) {
        public Rule {
            if ((type != 'c' && type != 'b') || access.isEmpty() || !access.matches("r?w?m?")) {
                throw new IllegalArgumentException("not a device rule: " + type + " " + major + ":" + minor + " " + access);
            }
        }

        /** The rule as cgroup v1's {@code devices.allow} takes it: {@code c 1:3 rwm}, {@code b *:* m}. */
        public String line() {
            return type + " " + number(major) + ":" + number(minor) + " " + access;
        }

        private static String number(int n) {
            return n == ANY ? "*" : Integer.toString(n);
        }
    }

    /** What every app of an isolating engine gets. */
    public static final List<Rule> DEFAULT = List.of(
            new Rule('c', ANY, ANY, "m"),
            new Rule('b', ANY, ANY, "m"),
            new Rule('c', 1, 3, "rwm"), // null
            new Rule('c', 1, 5, "rwm"), // zero
            new Rule('c', 1, 7, "rwm"), // full
            new Rule('c', 1, 8, "rwm"), // random
            new Rule('c', 1, 9, "rwm"), // urandom
            new Rule('c', 5, 0, "rwm"), // tty
            new Rule('c', 5, 1, "rwm"), // console
            new Rule('c', 5, 2, "rwm"), // ptmx
            new Rule('c', 136, ANY, "rwm")); // the pseudo-terminals, /dev/pts/N

    /**
     * What a privileged app gets ({@code SecurityPolicy#hostDevices}, a privileged CRI container):
     * every character and block device, as runc and containerd allow a privileged container.
     */
    public static final List<Rule> HOST = List.of(new Rule('c', ANY, ANY, "rwm"), new Rule('b', ANY, ANY, "rwm"));

    /** {@link #HOST} for an app with the host's devices, else {@link #DEFAULT}. */
    public static List<Rule> of(boolean hostDevices) {
        return hostDevices ? HOST : DEFAULT;
    }

    private AllowedDevices() {
    }
}
