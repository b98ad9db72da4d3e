package org.bosun.cni.networks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import org.bosun.api.BosunException;
import org.bosun.api.ErrorKind;
import org.bosun.cni.netns.PodNetns;
import org.osgi.service.component.annotations.Component;

/** Pod network namespaces with iproute2's {@code ip netns}, which every CNI host has. */
@Component(service = PodNetns.class)
public final class IpNetns implements PodNetns {
    static final Path NETNS_DIR = Path.of("/run/netns");
    static final String PREFIX = "bosun-";
    static final String MARKER = "netns";
    private static final Pattern UUID_CHARS = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9-]*");
    private static final List<Path> IP = List.of(Path.of("/usr/sbin/ip"), Path.of("/sbin/ip"), Path.of("/usr/bin/ip"),
            Path.of("/bin/ip"));

    @Override
    public Path create(Path podDir, String podUuid) {
        if (!UUID_CHARS.matcher(podUuid).matches()) {
            throw BosunException.invalid("pod uuid '" + podUuid + "' cannot name a network namespace");
        }
        Path marker = marker(podDir);
        if (Files.exists(marker)) {
            throw new BosunException(ErrorKind.ALREADY_EXISTS, "pod " + podUuid + " has a network namespace already ("
                    + read(marker) + ")");
        }
        String compact = podUuid.replace("-", "");
        String name = PREFIX + compact.substring(0, Math.min(8, compact.length()));
        if (Files.exists(NETNS_DIR.resolve(name))) {
            name = PREFIX + podUuid;
        }
        Path netns = NETNS_DIR.resolve(name);
        if (Files.exists(netns)) {
            throw new BosunException(ErrorKind.ALREADY_EXISTS, "network namespace " + netns
                    + " exists already; remove it with 'ip netns del " + name + "' if no pod uses it");
        }
        // Recorded first: a kill between the two steps leaves a record of a namespace, never a namespace without one.
        write(marker, netns.toString());
        try {
            ip("netns", "add", name);
        } catch (BosunException e) {
            removeFile(marker);
            throw e;
        }
        return netns;
    }

    @Override
    public Optional<Path> find(Path podDir) {
        Path marker = marker(podDir);
        return Files.exists(marker) ? Optional.of(Path.of(read(marker))) : Optional.empty();
    }

    @Override
    public void delete(Path podDir) {
        Path marker = marker(podDir);
        Optional<Path> recorded = find(podDir);
        if (recorded.isEmpty()) {
            return;
        }
        Path netns = recorded.get();
        String name = netns.getFileName().toString();
        if (!NETNS_DIR.equals(netns.getParent()) || !name.startsWith(PREFIX)) {
            throw BosunException.invalid(marker + " names " + netns + ", which bosun does not create; remove the file"
                    + " after checking that namespace");
        }
        if (Files.exists(netns)) {
            ip("netns", "delete", name);
        }
        removeFile(marker);
        removeIfEmpty(marker.getParent());
    }

    static Path marker(Path podDir) {
        return podDir.resolve("net").resolve(MARKER);
    }

    private static void ip(String... args) {
        Path ip = IP.stream().filter(Files::isExecutable).findFirst().orElseThrow(() -> BosunException.unavailable(
                "pod network namespaces need iproute2's ip command; install iproute2"));
        List<String> command = new ArrayList<>();
        command.add(ip.toString());
        command.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getOutputStream().close();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw BosunException.unavailable("'" + String.join(" ", command) + "' did not finish within 30 s");
            }
            if (p.exitValue() != 0) {
                throw BosunException.unavailable("'" + String.join(" ", command) + "' failed: "
                        + output.replaceAll("\\s*\\R\\s*", "; "));
            }
        } catch (IOException e) {
            throw BosunException.unavailable("cannot run " + ip + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw BosunException.unavailable("'" + String.join(" ", command) + "' was interrupted");
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8).strip();
        } catch (NoSuchFileException e) {
            return "";
        } catch (IOException e) {
            throw BosunException.internal("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static void write(Path file, String content) {
        try {
            Files.createDirectories(file.getParent());
            Path temp = file.resolveSibling("." + file.getFileName() + ".tmp");
            Files.writeString(temp, content + "\n", StandardCharsets.UTF_8);
            Files.move(temp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw BosunException.internal("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    static void removeFile(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw BosunException.internal("cannot remove " + file + ": " + e.getMessage(), e);
        }
    }

    static void removeIfEmpty(Path dir) {
        try {
            Files.deleteIfExists(dir);
        } catch (java.nio.file.DirectoryNotEmptyException stillUsed) {
            // other records live there
        } catch (IOException e) {
            throw BosunException.internal("cannot remove " + dir + ": " + e.getMessage(), e);
        }
    }
}
