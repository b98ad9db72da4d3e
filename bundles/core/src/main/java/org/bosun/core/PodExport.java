package org.bosun.core;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import org.bosun.api.BosunException;
import org.bosun.api.ErrorKind;
import org.bosun.api.RuntimePaths;
import org.bosun.api.image.StoredImage;
import org.bosun.api.pod.PodState;
import org.bosun.api.security.IdMapping;
import org.bosun.api.stage1.PodDirectory;

/**
 * rkt's {@code export}: an exited pod's app as an ACI. The archive holds the app's image manifest
 * ({@link ExportedManifest}) and its root filesystem as the app left it: with an overlay, the
 * image's trees with the app's changes on top, read through a read-only overlay in a mount namespace
 * of the export's own (the host sees no mount); a {@code --private-users} copy with its owners
 * shifted back to the ids the app saw. GNU tar writes it to a temporary file beside the target,
 * which becomes the target only when complete.
 */
final class PodExport {
    static final String UNSHARE = "/usr/bin/unshare";
    static final String SH = "/usr/bin/sh";
    /**
     * Mounts the rootfs at {@code $1/rootfs} (an overlay of the layers {@code $2}, else a bind of the
     * directory {@code $3}), then archives {@code $1}'s manifest and rootfs into {@code $4} with the
     * remaining arguments as tar's extra options. Constant text: every value is an argument.
     */
    static final String SCRIPT = """
            set -eu
            staging=$1 layers=$2 rootfs=$3 archive=$4
            shift 4
            if [ -n "$layers" ]; then
                /usr/bin/mount -t overlay -o "ro,lowerdir=$layers" bosun-export "$staging/rootfs"
            else
                /usr/bin/mount --bind "$rootfs" "$staging/rootfs"
            fi
            exec /usr/bin/tar --create --gzip --numeric-owner --file="$archive" "$@" -C "$staging" manifest rootfs
            """;
    private static final String STAGING = "export";

    private final PodFiles files;
    private final ServiceLookup services;

    PodExport(PodFiles files, ServiceLookup services) {
        this.files = files;
        this.services = services;
    }

    void export(RuntimePaths paths, String uuid, String appName, Path target, boolean overwrite) {
        PodStore store = new PodStore(paths.podsDir());
        PodStore.Found f = store.find(uuid);
        PodState state = store.state(f);
        if (state != PodState.EXITED && state != PodState.EXITED_GARBAGE) {
            throw notExited(f, state);
        }
        Path file = target.toAbsolutePath().normalize();
        if (!overwrite && Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new BosunException(ErrorKind.ALREADY_EXISTS, file + " exists; give --overwrite to replace it");
        }
        if (!Files.isDirectory(file.getParent())) {
            throw BosunException.notFound("cannot write " + file + ": " + file.getParent() + " is not a directory");
        }
        try (PodLock lock = PodLock.tryExclusive(f.path())) {
            if (lock == null) {
                throw notExited(f, store.state(f));
            }
            PodManifestJson manifest = files.manifest(f.path());
            PodManifestJson.RuntimeApp app = app(f.uuid(), manifest, appName);
            PodDirectory pod = files.podDirectory(f.uuid(), f.path(), manifest);
            PodDirectory.App engineApp = pod.apps().stream().filter(a -> a.name().equals(app.name())).findFirst()
                    .orElseThrow();
            String imageManifest = imageManifest(paths, app);
            write(f.path(), engineApp, pod.settings().userNamespace(), imageManifest, file, overwrite);
        }
    }

    private static BosunException notExited(PodStore.Found f, PodState state) {
        return BosunException.precondition("pod " + f.uuid() + " is " + state.label() + "; only an exited pod can be"
                + " exported" + (state == PodState.RUNNING ? " (bosun stop " + f.uuid() + " first)" : ""));
    }

    private static PodManifestJson.RuntimeApp app(String uuid, PodManifestJson manifest, String name) {
        List<PodManifestJson.RuntimeApp> apps = manifest.apps();
        if (name == null) {
            if (apps.size() != 1) {
                throw BosunException.invalid("pod " + uuid + " has " + apps.size() + " apps ("
                        + String.join(", ", apps.stream().map(PodManifestJson.RuntimeApp::name).toList())
                        + "); name the one to export with --app");
            }
            return apps.get(0);
        }
        return apps.stream().filter(a -> a.name().equals(name)).findFirst()
                .orElseThrow(() -> BosunException.notFound("pod " + uuid + " has no app " + name + "; its apps: "
                        + String.join(", ", apps.stream().map(PodManifestJson.RuntimeApp::name).toList())));
    }

    /** The app's image manifest, as the exported ACI's (rkt's: the image's own). */
    private String imageManifest(RuntimePaths paths, PodManifestJson.RuntimeApp app) {
        String id = app.image().id();
        return services.withImageStore(s -> {
            StoredImage image = s.find(paths, id).orElseThrow(() -> BosunException.notFound("the image " + id
                    + " of app " + app.name() + " is no longer in the store; fetch it again to export the app"));
            return ExportedManifest.of(image, s.originalManifest(paths, image).orElse(null));
        });
    }

    private static void write(Path podDir, PodDirectory.App app, IdMapping users, String manifest, Path file,
            boolean overwrite) {
        Path staging = podDir.resolve(STAGING);
        Path partial = null;
        try {
            org.bosun.host.files.FileTree.deleteQuietly(staging);
            Files.createDirectories(staging.resolve("rootfs"));
            Files.writeString(staging.resolve("manifest"), manifest, StandardCharsets.UTF_8);
            partial = Files.createTempFile(file.getParent(), "." + file.getFileName() + ".", ".partial");
            List<String> argv = new ArrayList<>(List.of(UNSHARE, "--mount", "--propagation", "private", "--", SH, "-c",
                    SCRIPT, "sh", staging.toString(), layers(app), app.rootfs().toString(), partial.toString()));
            if (users != null) {
                argv.add("--owner-map=" + idMap(staging.resolve("owners"), app.rootfs(), users, "unix:uid"));
                argv.add("--group-map=" + idMap(staging.resolve("groups"), app.rootfs(), users, "unix:gid"));
            }
            AppRootfs.run(argv, "archive app " + app.name() + "'s root filesystem");
            Files.setPosixFilePermissions(partial, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
            if (overwrite) {
                Files.move(partial, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            } else {
                // a link fails on a file made meanwhile, where a rename would replace it
                Files.createLink(file, partial);
                Files.delete(partial);
            }
            partial = null;
        } catch (FileAlreadyExistsException e) {
            throw new BosunException(ErrorKind.ALREADY_EXISTS, file + " exists; give --overwrite to replace it");
        } catch (IOException e) {
            throw BosunException.internal("cannot export app " + app.name() + " to " + file + ": " + e.getMessage(), e);
        } finally {
            if (partial != null) {
                try {
                    Files.deleteIfExists(partial);
                } catch (IOException e) {
                    // a dot file beside the target; the error already says what failed
                }
            }
            org.bosun.host.files.FileTree.deleteQuietly(staging);
        }
    }

    /** The overlay's layers, the app's changes on top; empty for a rootfs that is a plain directory. */
    private static String layers(PodDirectory.App app) {
        if (!app.overlay()) {
            return "";
        }
        StringBuilder sb = new StringBuilder(app.upperDir().toString());
        for (Path lower : app.lowerDirs()) {
            sb.append(':').append(lower);
        }
        return sb.toString();
    }

    /** A tar map file taking each host id found in {@code rootfs} back to the id the app saw. */
    private static Path idMap(Path mapFile, Path rootfs, IdMapping users, String attribute) throws IOException {
        Set<Integer> ids = new TreeSet<>();
        try (Stream<Path> walk = Files.walk(rootfs)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                ids.add((Integer) Files.getAttribute(p, attribute, LinkOption.NOFOLLOW_LINKS));
            }
        }
        StringBuilder sb = new StringBuilder();
        for (int id : ids) {
            if (id >= users.host() && id < users.host() + users.size()) {
                sb.append('+').append(id).append(" +").append(id - users.host() + users.container()).append('\n');
            }
        }
        return Files.writeString(mapFile, sb.toString());
    }
}
