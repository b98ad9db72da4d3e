package org.bosun.itest.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Host-side helpers: deleting trees, finding processes and mounts that belong to a directory. */
final class E2e {
    private E2e() {
    }

    /** Deletes a tree without following symbolic links (image rootfs links point at /bin/busybox). */
    static List<String> deleteTree(Path root) {
        List<String> problems = new ArrayList<>();
        if (root == null || !Files.exists(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return problems;
        }
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException exc) {
                    if (!(exc instanceof NoSuchFileException)) {
                        problems.add(file + ": " + exc);
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException exc) {
                    delete(dir);
                    return FileVisitResult.CONTINUE;
                }

                private void delete(Path p) {
                    try {
                        Files.deleteIfExists(p);
                    } catch (IOException e) {
                        problems.add(p + ": " + e);
                    }
                }
            });
        } catch (IOException e) {
            problems.add(root + ": " + e);
        }
        return problems;
    }

    /** Processes whose root, working directory or executable lies under {@code dir}: pods started from it. */
    static List<ProcessHandle> processesUnder(Path dir) {
        Path real = realPath(dir);
        List<ProcessHandle> found = new ArrayList<>();
        long self = ProcessHandle.current().pid();
        try (DirectoryStream<Path> proc = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path p : proc) {
                long pid;
                try {
                    pid = Long.parseLong(p.getFileName().toString());
                } catch (NumberFormatException e) {
                    continue;
                }
                if (pid == self) {
                    continue;
                }
                for (String link : List.of("root", "cwd", "exe")) {
                    try {
                        Path target = Files.readSymbolicLink(p.resolve(link));
                        if (target.startsWith(real)) {
                            ProcessHandle.of(pid).ifPresent(found::add);
                            break;
                        }
                    } catch (IOException | UnsupportedOperationException e) {
                        // gone, or a kernel thread
                    }
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read /proc", e);
        }
        return found;
    }

    /** Kills the given processes with SIGKILL and returns a description of each. */
    static List<String> kill(List<ProcessHandle> processes) {
        List<String> described = new ArrayList<>();
        for (ProcessHandle h : processes) {
            described.add("pid " + h.pid() + " (" + cmdline(h.pid()) + ")");
            h.destroyForcibly();
        }
        for (ProcessHandle h : processes) {
            try {
                h.onExit().get(10, TimeUnit.SECONDS);
            } catch (Exception ignored) {
                // best effort
            }
        }
        return described;
    }

    static String cmdline(long pid) {
        try {
            byte[] b = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
            return new String(b, StandardCharsets.UTF_8).replace('\0', ' ').trim();
        } catch (IOException e) {
            return "?";
        }
    }

    /**
     * The cgroups named {@code bosun-UUID} for any of {@code uuids}, in every hierarchy under
     * /sys/fs/cgroup (to depth 6). Other pods on the host come and go during the walk: a cgroup that
     * vanishes under it is passed over.
     */
    static List<String> podCgroups(java.util.Collection<String> uuids) throws java.io.IOException {
        java.util.Set<String> names = new java.util.HashSet<>();
        uuids.forEach(uuid -> names.add("bosun-" + uuid));
        List<String> found = new java.util.ArrayList<>();
        Files.walkFileTree(Path.of("/sys/fs/cgroup"), java.util.Set.of(), 6, new java.nio.file.SimpleFileVisitor<>() {
            @Override
            public java.nio.file.FileVisitResult preVisitDirectory(Path dir, java.nio.file.attribute.BasicFileAttributes a) {
                if (names.contains(String.valueOf(dir.getFileName()))) {
                    found.add(dir.toString());
                }
                return java.nio.file.FileVisitResult.CONTINUE;
            }

            @Override
            public java.nio.file.FileVisitResult visitFile(Path file, java.nio.file.attribute.BasicFileAttributes a) {
                return a.isDirectory() ? preVisitDirectory(file, a) : java.nio.file.FileVisitResult.CONTINUE;
            }

            @Override
            public java.nio.file.FileVisitResult visitFileFailed(Path file, java.io.IOException e) throws java.io.IOException {
                if (e instanceof java.nio.file.NoSuchFileException) {
                    return java.nio.file.FileVisitResult.CONTINUE;
                }
                throw e;
            }
        });
        return found;
    }

    /** Mount points at or below {@code dir}, deepest first. */
    static List<String> mountsUnder(Path dir) {
        String real = realPath(dir).toString();
        List<String> mounts = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                String[] f = line.split(" ");
                if (f.length > 4) {
                    String mountPoint = f[4].replace("\\040", " ");
                    if (mountPoint.equals(real) || mountPoint.startsWith(real + "/")) {
                        mounts.add(mountPoint);
                    }
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read /proc/self/mountinfo", e);
        }
        Collections.reverse(mounts);
        return mounts;
    }

    static void unmount(String mountPoint) {
        try {
            TestImages.exec(Path.of("/"), "umount", "-l", mountPoint);
        } catch (Exception ignored) {
            // reported by the caller
        }
    }

    static Path realPath(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            return p.toAbsolutePath().normalize();
        }
    }

    /** The pod directories under {@code data/pods/<state>/}, as {@code state/uuid}. */
    static List<String> podDirs(Path data) {
        List<String> found = new ArrayList<>();
        Path pods = data.resolve("pods");
        if (!Files.isDirectory(pods)) {
            return found;
        }
        try (DirectoryStream<Path> states = Files.newDirectoryStream(pods)) {
            for (Path state : states) {
                if (!Files.isDirectory(state)) {
                    found.add(pods.relativize(state) + " (not a directory)");
                    continue;
                }
                try (DirectoryStream<Path> entries = Files.newDirectoryStream(state)) {
                    for (Path e : entries) {
                        found.add(pods.relativize(e).toString());
                    }
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list " + pods, e);
        }
        Collections.sort(found);
        return found;
    }

    static List<String> entries(Path dir) {
        List<String> found = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return found;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            entries.forEach(e -> found.add(e.getFileName().toString()));
        } catch (IOException e) {
            throw new IllegalStateException("cannot list " + dir, e);
        }
        return found;
    }
}
