package org.bosun.cli;

import java.util.List;
import java.util.Set;

import org.bosun.api.BosunException;

import picocli.CommandLine.ParseResult;

/**
 * The commands only root may run, as rkt's rule drew the line: what makes, runs, enters, stops or
 * collects pods (namespaces, mounts, cgroups, networks) and what changes the trusted keys needs
 * root; fetching and reading images, listing trust, version and help do not, and work as any user
 * the data directory's permissions let in. A command that needs root says so before it touches
 * anything.
 */
final class PrivilegedCommands {
    /** The commands that need root, in the order help lists them. */
    static final List<String> NAMES = List.of("run", "prepare", "run-prepared", "enter", "stop", "rm", "gc", "export",
            "agent", "trust", "metadata-service", "app", "attach", "bundle");
    private static final Set<String> READ_ONLY_TRUST = Set.of("--list");

    private PrivilegedCommands() {
    }

    /** What {@code bosun help} says of it (a constant: help texts are annotation values). */
    static final String HELP = "Needs root: run, prepare, run-prepared, enter, stop, rm, gc, export, agent, trust (trust --list"
            + " does not), metadata-service, app, attach, bundle (bundle list does not). The other commands run as any user the data directory lets in"
            + " (rkt's rule: fetching needs"
            + " no root).";

    /**
     * A file the caller may not touch, found in {@code e}'s causes, as one line that says what to
     * do; null when {@code e} is not about permissions or the caller is root.
     */
    static String permissionDenied(Throwable e, int callerUid) {
        if (callerUid == 0) {
            return null;
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.nio.file.AccessDeniedException denied) {
                return "permission denied on " + denied.getFile() + " for uid " + callerUid + "; run it as root, or"
                        + " as a user the data directory's group lets in";
            }
        }
        return null;
    }

    /** Refuses a command that needs root when the caller is not root. */
    static void check(ParseResult parsed, int callerUid) {
        if (callerUid == 0 || parsed.subcommand() == null) {
            return;
        }
        ParseResult command = parsed.subcommand();
        String name = command.commandSpec().name();
        if (!NAMES.contains(name)) {
            return;
        }
        if (name.equals("trust") && READ_ONLY_TRUST.stream().anyMatch(command::hasMatchedOption)) {
            return;
        }
        if (name.equals("bundle") && (command.subcommand() == null
                || command.subcommand().commandSpec().name().equals("list"))) {
            return;
        }
        throw BosunException.precondition("needs root (uid 0), and this is uid " + callerUid + "; run it as root,"
                + " e.g. with sudo");
    }
}
