package org.bosun.stage1.nspawn;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.bosun.api.BosunException;
import org.bosun.api.security.IdMapping;
import org.bosun.api.security.SelinuxLabels;
import org.bosun.api.stage1.PodDirectory;
import org.bosun.stage1.rules.ProcessCgroups;

/**
 * {@code bosun enter} on the nspawn engine: the entered process gets exactly the security context
 * of the app's main process, as a runtime's {@code exec} gives its container's: the app's cgroups,
 * its namespaces, root and working directory, its user (the pod manifest's, as the runtimes take
 * it from the container's config) and supplementary groups, its capability bounding, inheritable
 * and ambient sets, no_new_privs, SELinux label, and a copy of
 * every seccomp filter it runs under (systemd's for its unit and systemd-nspawn's for the pod,
 * read with ptrace(2), so nothing is compiled twice and nothing differs). What the app's process
 * shows is what it has: an app can only have lowered its own since it started.
 *
 * <p>Three steps: a shell joins the cgroups; nsenter the namespaces but the mount namespace; then
 * one perl process ({@code enter-app.pl}) joins the mount namespace, whose root is the app's own
 * rootfs without a host tool in it, and does the rest with system calls before it execs the
 * command. perl is the one interpreter every Debian system has (perl-base); util-linux's setpriv
 * can neither chroot nor install a seccomp filter.
 */
final class AppEntry {
    static final String PERL = "/usr/bin/perl";
    private static final String ENTER_SCRIPT = resource("enter-app.pl");
    private static final String FILTERS_SCRIPT = resource("seccomp-filters.pl");
    /** ptrace, setns, prctl, capget, capset, setgroups, setresgid, setresuid, seccomp. */
    private static final Map<String, List<Integer>> SYSCALLS = Map.of(
            "amd64", List.of(101, 308, 157, 125, 126, 116, 119, 117, 317),
            "aarch64", List.of(117, 268, 167, 90, 91, 159, 149, 147, 277));

    private AppEntry() {
    }

    /** The command that runs {@code command} in app {@code app}, whose main process is {@code pid}. */
    static List<String> command(PodDirectory pod, PodDirectory.App app, long pid, List<String> command) {
        if (!Files.isExecutable(Path.of(PERL))) {
            throw BosunException.unavailable("bosun enter on the nspawn engine needs " + PERL
                    + " (package perl-base); install it");
        }
        List<Integer> numbers = SYSCALLS.get(System.getProperty("os.arch"));
        if (numbers == null) {
            throw BosunException.unavailable("bosun enter on the nspawn engine knows the system calls of "
                    + String.join(" and ", SYSCALLS.keySet()) + ", not of " + System.getProperty("os.arch"));
        }
        Map<String, String> status = status(pid);
        List<String> filters = switch (status.getOrDefault("Seccomp", "0")) {
            case "0" -> List.of();
            case "2" -> filters(pid, numbers.get(0));
            default -> throw BosunException.unavailable("app " + app.name() + " of pod " + pod.uuid()
                    + " runs in strict seccomp mode; it cannot be entered");
        };
        List<String> argv = new ArrayList<>(ProcessCgroups.joinStep(pid));
        argv.addAll(List.of(NspawnEngine.NSENTER, "--target", Long.toString(pid), "--uts", "--ipc", "--net", "--pid",
                "--cgroup"));
        if (pod.settings().userNamespace() != null) {
            argv.add("--user");
        }
        argv.add("--");
        String groups = groups(status.getOrDefault("Groups", ""), pod.settings().userNamespace());
        SelinuxLabels labels = app.security().selinuxLabels();
        StringBuilder syscalls = new StringBuilder();
        for (int n : numbers.subList(1, numbers.size())) {
            syscalls.append(syscalls.length() == 0 ? "" : ",").append(n);
        }
        argv.addAll(List.of(PERL, "-e", ENTER_SCRIPT, "--", Long.toString(pid), Integer.toUnsignedString(app.uid()),
                Integer.toUnsignedString(app.gid()), groups, capabilities(status, "CapBnd", app),
                capabilities(status, "CapInh", app), capabilities(status, "CapAmb", app),
                "1".equals(status.get("NoNewPrivs")) ? "1" : "0",
                labels == null || labels.process() == null ? "" : labels.process(), syscalls.toString()));
        argv.addAll(filters);
        argv.add("--");
        argv.addAll(command.isEmpty() ? List.of("/bin/sh") : command);
        return argv;
    }

    /**
     * The supplementary groups systemd gave the app (the manifest's, and the user's own from the
     * stage1 tree's /etc/group), as the pod's user namespace numbers them: /proc shows host ids.
     */
    static String groups(String field, IdMapping userNamespace) {
        StringBuilder sb = new StringBuilder();
        for (String gid : field.trim().split("\\s+")) {
            if (gid.isEmpty()) {
                continue;
            }
            long id = Long.parseLong(gid);
            if (userNamespace != null) {
                id = id - userNamespace.host() + userNamespace.container();
            }
            sb.append(sb.length() == 0 ? "" : ",").append(id);
        }
        return sb.toString();
    }

    private static String capabilities(Map<String, String> status, String set, PodDirectory.App app) {
        String hex = status.get(set);
        if (hex == null || !hex.matches("[0-9a-f]{1,16}")) {
            throw BosunException.internal("the main process of app " + app.name() + " shows no " + set, null);
        }
        return hex;
    }

    /** The fields of /proc/PID/status. */
    private static Map<String, String> status(long pid) {
        Map<String, String> fields = new HashMap<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                int colon = line.indexOf(':');
                if (colon > 0) {
                    fields.put(line.substring(0, colon), line.substring(colon + 1).trim());
                }
            }
        } catch (IOException e) {
            throw BosunException.precondition("the app's process " + pid + " has exited; see bosun status");
        }
        return fields;
    }

    /** The seccomp filters of process {@code pid}, oldest first, each as FLAGS:HEX. */
    private static List<String> filters(long pid, int ptrace) {
        try {
            Process p = new ProcessBuilder(PERL, "-e", FILTERS_SCRIPT, "--", Integer.toString(ptrace), Long.toString(pid))
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            byte[] out = p.getInputStream().readAllBytes();
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw BosunException.unavailable("reading the seccomp filters of process " + pid + " did not end");
            }
            if (p.exitValue() != 0) {
                throw BosunException.unavailable(err.isEmpty() ? "cannot read the seccomp filters of process " + pid : err);
            }
            List<String> filters = new ArrayList<>();
            for (String line : new String(out, StandardCharsets.US_ASCII).split("\n")) {
                String[] f = line.split(" ");
                if (f.length == 2 && f[0].matches("[0-9]+") && f[1].matches("([0-9a-f]{16})+")) {
                    filters.add(f[0] + ":" + f[1]);
                }
            }
            if (filters.isEmpty()) {
                throw BosunException.internal("process " + pid + " runs under seccomp, and no filter of it could be read", null);
            }
            return filters;
        } catch (IOException e) {
            throw BosunException.unavailable("cannot run " + PERL + " to read the seccomp filters of process " + pid + ": "
                    + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw BosunException.unavailable("interrupted while reading the seccomp filters of process " + pid);
        }
    }

    static String resource(String name) {
        try (InputStream in = AppEntry.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("the nspawn engine's " + name + " is missing from its bundle");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the nspawn engine's " + name, e);
        }
    }
}
