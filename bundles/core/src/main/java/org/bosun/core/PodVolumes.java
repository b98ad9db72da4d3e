package org.bosun.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import org.bosun.api.BosunException;
import org.bosun.api.image.ImageManifest;
import org.bosun.api.pod.AppRequest;
import org.bosun.api.pod.AppSettings;
import org.bosun.api.pod.PodOptions;
import org.bosun.api.pod.PodOptions.VolumeSpec;
import org.bosun.host.archive.ConfinedTree;

/**
 * A pod's volumes and what each app mounts, as rkt resolved them: {@code --volume} gives the pod's
 * volumes; an app mounts a volume at each of its image's mount points that has the mount point's
 * name, and wherever its {@code --mount volume=,target=} says (which wins for the same target; a
 * relative target is from the app's {@code /}, and links in it are followed inside the app). A
 * mount point no volume serves gets an implicit {@code empty} volume of that name, shared by every
 * app that declares it, which starts with what the first image that declares it has there. {@code empty} volumes are directories in the pod's {@code volumes/NAME}.
 *
 * <p>{@link #check} is run before anything is written; {@link #mounts} as each image is opened.
 */
final class PodVolumes {
    static final String DIR = "volumes";
    private static final Pattern NAME = Pattern.compile("[a-z0-9]+(-[a-z0-9]+)*");

    private final Map<String, PodManifestJson.Volume> volumes = new LinkedHashMap<>();
    private final List<String> notes = new ArrayList<>();
    /** The image's directory each implicit volume starts with, by volume name. */
    private final Map<String, Path> seeds = new LinkedHashMap<>();

    private PodVolumes() {
    }

    /** Checks the pod's volumes and every app's {@code --mount} as a whole; writes nothing. */
    static PodVolumes check(PodOptions pod, List<AppRequest> apps) {
        return check(pod, List.of(), apps);
    }

    /** As {@link #check(PodOptions, List)}, with {@code extra} volumes besides the pod's (an added app's own). */
    static PodVolumes check(PodOptions pod, List<VolumeSpec> extra, List<AppRequest> apps) {
        PodVolumes result = new PodVolumes();
        List<VolumeSpec> all = new ArrayList<>(pod.volumes());
        all.addAll(extra);
        for (VolumeSpec v : all) {
            String where = "--volume " + v.name();
            if (v.name() == null || !NAME.matcher(v.name()).matches()) {
                throw BosunException.invalid("--volume '" + v.name()
                        + "': a volume name is lower case letters, digits and single dashes");
            }
            if (result.volumes.containsKey(v.name())) {
                throw BosunException.invalid(where + " is given twice; give each volume a distinct name");
            }
            String kind = v.kind() == null ? "empty" : v.kind();
            Integer mode = null;
            switch (kind) {
                case "host" -> {
                    if (v.source() == null || !v.source().startsWith("/")) {
                        throw BosunException.invalid(where + ": kind=host needs an absolute source=PATH, not '"
                                + v.source() + "'");
                    }
                    if (!Files.exists(Path.of(v.source()))) {
                        throw BosunException.invalid(where + ": source " + v.source()
                                + " does not exist on this host; create it, or use kind=empty");
                    }
                }
                case "empty" -> {
                    if (v.source() != null) {
                        throw BosunException.invalid(where + ": kind=empty takes no source");
                    }
                    mode = mode(v, where);
                }
                default -> throw BosunException.invalid(where + ": kind '" + kind + "' is not host or empty");
            }
            if ((v.uid() != null && v.uid() < 0) || (v.gid() != null && v.gid() < 0)) {
                throw BosunException.invalid(where + ": uid and gid cannot be negative");
            }
            result.volumes.put(v.name(), new PodManifestJson.Volume(v.name(), kind,
                    kind.equals("host") ? Path.of(v.source()).normalize().toString() : null, v.readOnly(),
                    kind.equals("host") ? v.recursive() : null, mode == null ? null : String.format("%04o", mode),
                    kind.equals("empty") ? (v.uid() == null ? 0 : v.uid()) : null,
                    kind.equals("empty") ? (v.gid() == null ? 0 : v.gid()) : null, null, propagation(v, where)));
        }
        for (AppRequest app : apps) {
            for (AppSettings.MountRequest m : app.settings().mounts()) {
                String where = where(m, app);
                if (!result.volumes.containsKey(m.volume())) {
                    throw BosunException.invalid(where + ": the pod has no volume '" + m.volume() + "'; "
                            + (result.volumes.isEmpty() ? "define it" : "its volumes are "
                                    + String.join(", ", result.volumes.keySet()) + "; define another")
                            + " with --volume " + m.volume() + ",kind=empty|host");
                }
                if (m.target() == null || m.target().isEmpty() || m.target().indexOf('\0') >= 0) {
                    throw BosunException.invalid(where + ": the target is empty; give a path inside the app");
                }
            }
        }
        return result;
    }

    private static Integer mode(VolumeSpec v, String where) {
        if (v.mode() == null) {
            return 0755;
        }
        if (!v.mode().matches("0?[0-7]{3,4}")) {
            throw BosunException.invalid(where + ": mode '" + v.mode() + "' is not octal like 0755");
        }
        int mode = Integer.parseInt(v.mode(), 8);
        if (mode > 07777) {
            throw BosunException.invalid(where + ": mode '" + v.mode() + "' is out of range");
        }
        return mode;
    }

    /** An absolute, normal path inside the app other than {@code /} itself. */
    static String target(String path, String where) {
        if (path == null || !path.startsWith("/")) {
            throw BosunException.invalid(where + ": the target '" + path + "' is not an absolute path");
        }
        String normal = Path.of(path).normalize().toString();
        if (normal.equals("/") || path.contains("/../") || path.endsWith("/..")) {
            throw BosunException.invalid(where + ": the target '" + path
                    + "' must name a directory inside the app, not / or a path with '..'");
        }
        return normal;
    }

    private static String where(AppSettings.MountRequest m, AppRequest app) {
        return "--mount volume=" + m.volume() + ",target=" + m.target() + " of image " + app.image();
    }

    /**
     * Where {@code path} (absolute, or relative to the app's {@code /}) is inside the app, as rkt
     * found it: each component resolved in the image's tree the way the app would see it, symbolic
     * links included (an absolute link target starts again at the app's {@code /}). The result
     * holds no link, so the engine mounts where the app will look, creating what is missing; a path
     * that would leave the app's root is refused.
     */
    static String targetInside(Path rootfs, String path, String where) {
        Path resolved;
        try {
            resolved = new ConfinedTree(rootfs).resolve(path);
        } catch (ConfinedTree.Refused e) {
            throw BosunException.invalid(where + ": the target '" + path + "' "
                    + (e.kind() == ConfinedTree.Refused.Kind.CLIMBS ? "leads out of the app's root"
                            : "goes through more than " + ConfinedTree.MAX_LINKS + " symbolic links")
                    + "; give a path inside the app");
        }
        String target = "/" + new ConfinedTree(rootfs).root().relativize(resolved);
        if (target.equals("/")) {
            throw BosunException.invalid(where + ": the target '" + path
                    + "' is the app's root; give a directory inside the app");
        }
        return target;
    }

    /**
     * The mounts of one app, for its manifest entry: its {@code --mount}s, then its image's mount
     * points not already given a target by one; a mount point no volume serves gets an implicit
     * empty volume. Targets are resolved in {@code rootfs}, the app's image tree; an implicit volume
     * starts with what the image has at the mount point, as Docker, podman and rkt do: its files (see
     * {@link #seedImplicitVolumes}), its mode and its owner.
     */
    List<PodManifestJson.Mount> mounts(AppRequest app, ImageManifest image, String appName, Path rootfs) {
        Map<String, PodManifestJson.Mount> byTarget = new LinkedHashMap<>();
        for (AppSettings.MountRequest m : app.settings().mounts()) {
            String where = where(m, app);
            String target = targetInside(rootfs, m.target(), where);
            if (byTarget.containsKey(target)) {
                throw BosunException.invalid(where + ": another --mount of the same app has the target " + target);
            }
            byTarget.put(target, new PodManifestJson.Mount(m.volume(), target, null));
        }
        for (ImageManifest.MountPoint mp : image.mountPoints()) {
            String where = "mount point " + mp.name() + " of image " + image.name();
            String target = targetInside(rootfs, target(mp.path(), where), where);
            if (byTarget.containsKey(target)) {
                continue;
            }
            if (mp.name() == null || !NAME.matcher(mp.name()).matches()) {
                throw BosunException.invalid(where + ": '" + mp.name() + "' is not a valid volume name");
            }
            if (!volumes.containsKey(mp.name())) {
                Path seed = imageDirectory(rootfs, target);
                String mode = "0755";
                int uid = 0;
                int gid = 0;
                if (seed != null) {
                    try {
                        mode = String.format("%04o", (Integer) Files.getAttribute(seed, "unix:mode") & 07777);
                        uid = (Integer) Files.getAttribute(seed, "unix:uid");
                        gid = (Integer) Files.getAttribute(seed, "unix:gid");
                    } catch (IOException e) {
                        throw BosunException.internal("cannot read " + seed + " of image " + image.name() + ": "
                                + e.getMessage(), e);
                    }
                    seeds.put(mp.name(), seed);
                }
                volumes.put(mp.name(), new PodManifestJson.Volume(mp.name(), "empty", null, false, null, mode, uid, gid,
                        true));
                notes.add("app " + appName + ": no volume named '" + mp.name() + "' for its mount point " + target
                        + "; it gets an implicit empty volume (give one with --volume " + mp.name() + ",kind=...)");
            }
            byTarget.put(target, new PodManifestJson.Mount(mp.name(), target, mp.readOnly() ? Boolean.TRUE : null));
        }
        return new ArrayList<>(byTarget.values());
    }

    /** The directory at {@code path} in the image's tree, its links followed inside the tree; null if none. */
    private static Path imageDirectory(Path tree, String path) {
        try {
            Path dir = new ConfinedTree(tree).resolve(path);
            return Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS) ? dir : null;
        } catch (ConfinedTree.Refused e) {
            return null; // a link that leads out of the image: nothing of the image's to start with
        }
    }

    /**
     * Copies into each implicit volume what its image has at the mount point (owners, modes, links
     * and times as the image has them), once {@link #createEmptyVolumes} has made it.
     */
    void seedImplicitVolumes(Path podDir) {
        for (Map.Entry<String, Path> seed : seeds.entrySet()) {
            Path dir = podDir.resolve(DIR).resolve(seed.getKey());
            AppRootfs.run(List.of(AppRootfs.CP, "-a", "--", seed.getValue() + "/.", dir + "/"), "copy the image's "
                    + seed.getValue() + " into its implicit volume " + dir);
        }
    }

    /** Every volume of the pod, explicit and implicit, for the manifest. */
    List<PodManifestJson.Volume> manifestVolumes() {
        return new ArrayList<>(volumes.values());
    }

    /** What was decided on the user's behalf (implicit volumes), for {@code --debug}. */
    List<String> notes() {
        return List.copyOf(notes);
    }

    /**
     * Creates the {@code empty} volumes that some app mounts, with their mode and owner; in a pod with
     * a user namespace ({@code userNamespace}, else null) the owner is the pod's id, as the apps see it.
     */
    static void createEmptyVolumes(Path podDir, PodManifestJson manifest, org.bosun.api.security.IdMapping userNamespace) {
        Set<String> used = new HashSet<>();
        for (PodManifestJson.RuntimeApp app : manifest.apps()) {
            if (app.mounts() != null) {
                app.mounts().forEach(m -> used.add(m.volume()));
            }
        }
        if (manifest.volumes() == null) {
            return;
        }
        for (PodManifestJson.Volume v : manifest.volumes()) {
            if (!"empty".equals(v.kind()) || !used.contains(v.name())) {
                continue;
            }
            Path dir = podDir.resolve(DIR).resolve(v.name());
            try {
                Files.createDirectories(dir);
                Files.setPosixFilePermissions(dir, permissions(Integer.parseInt(v.mode(), 8)));
                Files.setAttribute(dir, "unix:uid", hostId(v.uid(), userNamespace), LinkOption.NOFOLLOW_LINKS);
                Files.setAttribute(dir, "unix:gid", hostId(v.gid(), userNamespace), LinkOption.NOFOLLOW_LINKS);
                if ((Integer.parseInt(v.mode(), 8) & 07000) != 0) {
                    // setuid/setgid/sticky: beyond what PosixFilePermission can say
                    Files.setAttribute(dir, "unix:mode", Integer.parseInt(v.mode(), 8), LinkOption.NOFOLLOW_LINKS);
                }
            } catch (IOException | UnsupportedOperationException e) {
                throw BosunException.internal("cannot create the empty volume " + v.name() + " in " + dir + ": "
                        + e.getMessage(), e);
            }
        }
    }

    /** The host id of the pod's id {@code id}: itself without a user namespace. */
    static int hostId(int id, org.bosun.api.security.IdMapping userNamespace) {
        if (userNamespace == null) {
            return id;
        }
        if (id < userNamespace.container() || id >= userNamespace.container() + userNamespace.size()) {
            throw BosunException.invalid("the owner id " + id + " of an empty volume is outside the pod's user namespace"
                    + " (ids " + userNamespace.container() + ".." + (userNamespace.container() + userNamespace.size() - 1)
                    + "); give --volume ...,uid=,gid= within it");
        }
        return (int) (id - userNamespace.container() + userNamespace.host());
    }

    private static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> set = new HashSet<>();
        PosixFilePermission[] order = {PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE,
                PosixFilePermission.OTHERS_READ, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE,
                PosixFilePermission.GROUP_READ, PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE,
                PosixFilePermission.OWNER_READ};
        for (int bit = 0; bit < order.length; bit++) {
            if ((mode & (1 << bit)) != 0) {
                set.add(order[bit]);
            }
        }
        return set;
    }

    /** A host volume's propagation as recorded: null for private, else rslave or rshared. */
    private static String propagation(PodOptions.VolumeSpec v, String where) {
        String p = v.propagation();
        if (p == null || p.equals("private")) {
            return null;
        }
        if (!p.equals("rslave") && !p.equals("rshared")) {
            throw BosunException.invalid(where + ": propagation '" + p + "' is not private, rslave or rshared");
        }
        if (!"host".equals(v.kind())) {
            throw BosunException.invalid(where + ": only a host volume has a propagation");
        }
        return p;
    }

    /** The engine's view of an app's mounts: host paths resolved, read-only if the volume or mount point is. */
    static List<org.bosun.api.stage1.PodDirectory.Mount> resolve(Path podDir, PodManifestJson manifest,
            PodManifestJson.RuntimeApp app) {
        List<org.bosun.api.stage1.PodDirectory.Mount> result = new ArrayList<>();
        if (app.mounts() == null) {
            return result;
        }
        Map<String, PodManifestJson.Volume> byName = new LinkedHashMap<>();
        if (manifest.volumes() != null) {
            manifest.volumes().forEach(v -> byName.put(v.name(), v));
        }
        for (PodManifestJson.Mount m : app.mounts()) {
            PodManifestJson.Volume v = byName.get(m.volume());
            if (v == null) {
                throw BosunException.internal("app " + app.name() + " of pod " + podDir.getFileName()
                        + " mounts volume " + m.volume() + ", which its manifest does not define", null);
            }
            boolean host = "host".equals(v.kind());
            Path source = host ? Path.of(v.source()) : podDir.resolve(DIR).resolve(v.name());
            boolean readOnly = Boolean.TRUE.equals(v.readOnly()) || Boolean.TRUE.equals(m.readOnly());
            boolean recursive = host && !Boolean.FALSE.equals(v.recursive());
            result.add(new org.bosun.api.stage1.PodDirectory.Mount(v.name(), source, m.path(), readOnly, recursive,
                    host ? v.propagation() : null));
        }
        return result;
    }
}
