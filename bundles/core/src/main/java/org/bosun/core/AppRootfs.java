package org.bosun.core;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import org.bosun.api.BosunException;
import org.bosun.api.stage1.PodDirectory;

/**
 * An app's root filesystem in its pod directory, made from the image's rendered tree in the store.
 * <ul>
 * <li>By default an overlay: {@code apps/NAME/rootfs} is only the mount point; the engine mounts
 * overlayfs there, in the pod's own mount namespace, with the tree as lower layer (listed in
 * {@code apps/NAME/layers}, one path a line, topmost first) and {@code apps/NAME/upper},
 * {@code apps/NAME/work} for the app's writes. The tree is never written to, and stays shared.
 * <li>With {@code --no-overlay}: a copy of the tree ({@code cp -a}: owners, modes, times, links and
 * special files as the tree has them).
 * </ul>
 */
final class AppRootfs {
    static final String LAYERS = "layers";
    static final String UPPER = "upper";
    static final String WORK = "work";
    static final String ROOTFS = "rootfs";
    /** What every app's {@code /etc/mtab} links to. */
    static final String MTAB_TARGET = "/proc/self/mounts";
    static final String CP = "/usr/bin/cp";
    private static final String UNSHARE = "/usr/bin/unshare";
    private static final String MOUNT = "/usr/bin/mount";
    /** Filesystems (by pods dir and tree dir) where a probe mount worked, for this process's life. */
    private static final Set<String> OVERLAY_WORKS = ConcurrentHashMap.newKeySet();

    private AppRootfs() {
    }

    /** Lays out {@code appDir}'s rootfs from {@code tree}: an overlay's directories, or a copy. */
    static void create(Path appDir, Path tree, boolean noOverlay) {
        Path rootfs = appDir.resolve(ROOTFS);
        try {
            Files.createDirectories(rootfs);
            if (noOverlay) {
                run(List.of(CP, "-a", "--", tree.toString() + "/.", rootfs.toString() + "/"), "copy the image tree "
                        + tree + " into " + rootfs);
                linkMtab(tree, rootfs);
                return;
            }
            checkOptionSafe(tree);
            checkOptionSafe(appDir);
            Path upper = Files.createDirectories(appDir.resolve(UPPER));
            Files.createDirectories(appDir.resolve(WORK));
            // The overlay's root directory takes its owner and mode from the upper layer's root.
            Files.setAttribute(upper, "unix:mode", Files.getAttribute(tree, "unix:mode"));
            Files.setAttribute(upper, "unix:uid", Files.getAttribute(tree, "unix:uid"));
            Files.setAttribute(upper, "unix:gid", Files.getAttribute(tree, "unix:gid"));
            checkOverlayWorks(appDir.getParent(), tree);
            linkMtab(tree, upper);
            Files.writeString(appDir.resolve(LAYERS), tree + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw BosunException.internal("cannot lay out the rootfs in " + appDir + ": " + e.getMessage(), e);
        }
    }

    /**
     * Makes the app's working directory where its image lacks it ({@link AppWorkingDirectory}): in its
     * copy, or in its overlay's upper layer, read through the image's tree {@code tree}.
     */
    static void makeWorkingDirectory(Path appDir, Path tree, boolean copy, String workingDirectory, String app) {
        Path rootfs = appDir.resolve(ROOTFS);
        AppWorkingDirectory.make(copy ? rootfs : tree, copy ? rootfs : appDir.resolve(UPPER), workingDirectory, app);
    }

    /**
     * Every app's {@code /etc/mtab} is a link to {@code /proc/self/mounts}, as rkt made it: tools that
     * read it ({@code df}, {@code mount}) then see the app's own mounts. An image's regular file,
     * written when the image was built, would show the builder's mounts, so it is replaced (in the
     * app's copy or, shadowed, in its upper layer; never in the store's tree); an image's own link is
     * kept, as is an image whose {@code /etc} or {@code /etc/mtab} is something else (a link to a
     * directory, a directory).
     */
    static void linkMtab(Path tree, Path base) throws IOException {
        Path imageEtc = tree.resolve("etc");
        Path imageMtab = imageEtc.resolve("mtab");
        if (Files.isSymbolicLink(imageEtc) || (Files.exists(imageEtc, LinkOption.NOFOLLOW_LINKS)
                && !Files.isDirectory(imageEtc, LinkOption.NOFOLLOW_LINKS)) || Files.isSymbolicLink(imageMtab)
                || Files.isDirectory(imageMtab, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Path etc = base.resolve("etc");
        if (!Files.isDirectory(etc, LinkOption.NOFOLLOW_LINKS)) {
            Files.createDirectory(etc);
            // An upper layer's directory gives the merged /etc its owner and mode: the image's.
            Path like = Files.isDirectory(imageEtc, LinkOption.NOFOLLOW_LINKS) ? imageEtc : tree;
            for (String attribute : List.of("unix:mode", "unix:uid", "unix:gid")) {
                Files.setAttribute(etc, attribute, Files.getAttribute(like, attribute, LinkOption.NOFOLLOW_LINKS));
            }
        }
        Files.deleteIfExists(etc.resolve("mtab"));
        Files.createSymbolicLink(etc.resolve("mtab"), Path.of(MTAB_TARGET));
    }

    /**
     * The app with its overlay layers, when its pod directory records them in {@code recordDir}
     * (where the app's directory is now); upper and work are beside the app's {@code rootfs}.
     */
    static PodDirectory.App withLayers(PodDirectory.App app, Path recordDir) {
        List<Path> lowerDirs = lowerDirs(recordDir);
        if (lowerDirs.isEmpty()) {
            return app;
        }
        Path appDir = app.rootfs().getParent();
        return new PodDirectory.App(app.name(), app.rootfs(), app.exec(), app.environment(), app.uid(), app.gid(),
                app.workingDirectory(), app.supplementaryGids(), app.mounts(), app.readonlyRootfs(), app.resources(),
                app.security(), lowerDirs, appDir.resolve(UPPER), appDir.resolve(WORK), app.eventHandlers());
    }

    /** The lower layers recorded for an app, topmost first; empty for a copied rootfs. */
    static List<Path> lowerDirs(Path appDir) {
        try {
            List<Path> dirs = new ArrayList<>();
            for (String line : Files.readAllLines(appDir.resolve(LAYERS), StandardCharsets.UTF_8)) {
                if (!line.isBlank()) {
                    dirs.add(Path.of(line));
                }
            }
            return dirs;
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw BosunException.internal("cannot read " + appDir.resolve(LAYERS) + ": " + e.getMessage(), e);
        }
    }

    /** overlayfs splits its options at ',' and lowerdir at ':'; such paths cannot be given to it. */
    private static void checkOptionSafe(Path path) {
        String s = path.toString();
        if (s.contains(",") || s.contains(":") || s.contains("\\")) {
            throw BosunException.invalid("the path " + s + " holds ',', ':' or '\\', which overlayfs options cannot"
                    + " carry; use a --dir without them, or run with --no-overlay");
        }
    }

    /**
     * Mounts a throw-away overlay of {@code tree} with upper and work directories beside the pod's
     * apps, in a private mount namespace that ends with the probe. Refuses, suggesting
     * {@code --no-overlay}, on filesystems overlayfs cannot use as an upper layer.
     */
    private static void checkOverlayWorks(Path appsDir, Path tree) throws IOException {
        String key = Files.getAttribute(appsDir, "unix:dev") + "/" + Files.getAttribute(tree, "unix:dev");
        if (OVERLAY_WORKS.contains(key)) {
            return;
        }
        Path probe = Files.createTempDirectory(appsDir, ".overlay-probe-");
        try {
            for (String d : List.of("u", "w", "m")) {
                Files.createDirectory(probe.resolve(d));
            }
            String options = "lowerdir=" + tree + ",upperdir=" + probe.resolve("u") + ",workdir=" + probe.resolve("w");
            String failure = tryRun(List.of(UNSHARE, "--mount", "--propagation", "private", MOUNT, "-t", "overlay",
                    "overlay", "-o", options, probe.resolve("m").toString()));
            if (failure != null) {
                throw BosunException.precondition("cannot mount an overlay for the pod's rootfs in " + appsDir + " ("
                        + failure + "); its filesystem may not support overlayfs upper layers: run with --no-overlay,"
                        + " or use a --dir on ext4 or xfs");
            }
            OVERLAY_WORKS.add(key);
        } finally {
            try {
                PodTree.delete(probe, "overlay probe");
            } catch (RuntimeException e) {
                // It is inside the pod's directory and goes with the pod.
            }
        }
    }

    static void run(List<String> argv, String what) {
        String failure = tryRun(argv);
        if (failure != null) {
            throw BosunException.internal("cannot " + what + ": " + failure, null);
        }
    }

    /** Runs a tool; null when it succeeded, else its last line of output. */
    private static String tryRun(List<String> argv) {
        if (!Files.isExecutable(Path.of(argv.get(0)))) {
            return argv.get(0) + " is missing (util-linux, coreutils)";
        }
        try {
            Process p = new ProcessBuilder(argv).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(
                    new java.io.File("/dev/null"))).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(10, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                return argv.get(0) + " did not finish";
            }
            if (p.exitValue() == 0) {
                return null;
            }
            String text = new String(out, StandardCharsets.UTF_8).strip();
            String last = text.isEmpty() ? "exit code " + p.exitValue() : text.lines().reduce((a, b) -> b).orElse(text);
            return last;
        } catch (IOException e) {
            return e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw BosunException.precondition("cancelled while running " + argv.get(0));
        }
    }
}
