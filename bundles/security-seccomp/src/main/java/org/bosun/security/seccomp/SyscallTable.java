package org.bosun.security.seccomp;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.bosun.seccomp.bpf.SyscallNumbers;

/**
 * The x86_64 system calls (the seccomp-bpf bundle's table, made from the kernel headers), and
 * tables read from this bundle's resources: the errno names and the syscall groups. Each resource
 * is {@code NAME [NUMBER]} per line, {@code #} starts a comment.
 */
final class SyscallTable {
    static final SyscallTable X86_64 = new SyscallTable(SyscallNumbers.x86_64());
    static final Map<String, Integer> ERRNO = numbers("errno.txt");

    private final SyscallNumbers syscalls;

    SyscallTable(SyscallNumbers syscalls) {
        this.syscalls = syscalls;
    }

    boolean knows(String syscall) {
        return syscalls.knows(syscall);
    }

    int size() {
        return syscalls.size();
    }

    /** The names of a resource list, in order. */
    static List<String> names(String resource) {
        List<String> names = new ArrayList<>();
        for (String[] words : lines(resource)) {
            names.add(words[0]);
        }
        return Collections.unmodifiableList(names);
    }

    private static Map<String, Integer> numbers(String resource) {
        Map<String, Integer> map = new LinkedHashMap<>();
        for (String[] words : lines(resource)) {
            map.put(words[0], Integer.valueOf(words[1]));
        }
        return Collections.unmodifiableMap(map);
    }

    private static List<String[]> lines(String resource) {
        InputStream in = SyscallTable.class.getResourceAsStream(resource);
        if (in == null) {
            throw new IllegalStateException("resource " + resource + " is missing from the seccomp bundle");
        }
        List<String[]> lines = new ArrayList<>();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                String text = line.strip();
                if (!text.isEmpty() && !text.startsWith("#")) {
                    lines.add(text.split("\\s+"));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return lines;
    }
}
