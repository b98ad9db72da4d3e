package org.bosun.api.stage1;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.bosun.api.pod.Resources;
import org.bosun.api.security.IdMapping;
import org.bosun.api.security.SecurityPolicy;

/**
 * A pod as an engine sees it: where it is and what its apps are. Paths are absolute and final
 * (for {@link Stage1Engine#run} they already point into the run directory). Everything here is
 * read from what the core recorded in the pod at prepare time, so a pod keeps the settings and
 * security policy it was prepared with even when bundles change later.
 *
 * @param uuid the pod's UUID
 * @param path the pod directory
 * @param apps its apps, in manifest order
 * @param annotations pod annotations
 * @param settings pod-wide settings (network namespace, hostname, DNS files, ...)
 */
public record PodDirectory(String uuid, Path path, List<App> apps, Map<String, String> annotations, Pod settings) {
    public PodDirectory {
        apps = List.copyOf(apps);
        annotations = Map.copyOf(annotations);
        settings = settings == null ? Pod.HOST : settings;
    }

    public PodDirectory(String uuid, Path path, List<App> apps, Map<String, String> annotations) {
        this(uuid, path, apps, annotations, null);
    }

    /** Where an engine keeps its own files inside the pod. */
    public Path stage1Dir() {
        return path.resolve("engine");
    }

    /**
     * Pod-wide settings.
     *
     * @param hostname the pod's host name, or null to leave the engine's default
     * @param netns the network namespace the core created and attached ({@code /run/netns/...}),
     *        or null when the pod shares the host's network ({@code --net=host})
     * @param etcDir a directory with the pod's {@code resolv.conf}, {@code hosts} and
     *        {@code hostname} (those present) to bind over each app's {@code /etc} files, or null
     * @param interactive whether the app gets the caller's terminal ({@code --interactive})
     * @param engineOptions engine-specific settings ({@code runtime=crun})
     * @param userNamespace the pod's user namespace: its uids and gids, from container id 0, or null for none
     * @param hostIpc whether the pod shares the host's IPC namespace ({@code --ipc=parent}) instead of
     *        having its own; an engine that gives pods no namespaces of their own ignores it
     * @param sysctls kernel settings of the pod's network and IPC namespaces ({@code --sysctl}), checked
     *        by the core (namespaced keys only, none of a namespace the pod shares with the host), which
     *        the engine sets there before any app starts, in order
     */
    public record Pod(String hostname, Path netns, Path etcDir, boolean interactive, Map<String, String> engineOptions,
            IdMapping userNamespace, boolean hostIpc, Map<String, String> sysctls) {
        /** Host networking, nothing else set. */
        public static final Pod HOST = new Pod(null, null, null, false, null, null, false);

        /** The settings of a pod without sysctls. */
        public Pod(String hostname, Path netns, Path etcDir, boolean interactive, Map<String, String> engineOptions,
                IdMapping userNamespace, boolean hostIpc) {
            this(hostname, netns, etcDir, interactive, engineOptions, userNamespace, hostIpc, null);
        }

        /** The settings of a pod with an IPC namespace of its own. */
        public Pod(String hostname, Path netns, Path etcDir, boolean interactive, Map<String, String> engineOptions,
                IdMapping userNamespace) {
            this(hostname, netns, etcDir, interactive, engineOptions, userNamespace, false);
        }

        public Pod {
            engineOptions = engineOptions == null ? Map.of() : Map.copyOf(engineOptions);
            sysctls = sysctls == null ? Map.of()
                    : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(sysctls));
        }
    }

    /**
     * One app.
     *
     * @param name the app's name
     * @param rootfs its root filesystem (a directory; with {@code lowerDirs} the overlay's mount point)
     * @param exec the command and arguments
     * @param environment the app's environment, complete, in order
     * @param uid the numeric user, resolved against the image
     * @param gid the numeric group, resolved against the image
     * @param workingDirectory the working directory inside the rootfs
     * @param supplementaryGids extra groups
     * @param mounts volumes mounted into the app, in order
     * @param readonlyRootfs whether the rootfs is read-only
     * @param resources resource isolators
     * @param security the app's security policy, as the security modules made it and the core resolved it at
     *        prepare time: to be enforced as it is
     * @param lowerDirs read-only image trees (lowest last, as overlayfs lowerdir lists them) to mount
     *        at {@code rootfs} with {@code upperDir}/{@code workDir}; empty when rootfs is a copy
     * @param upperDir the overlay's upper directory, or null
     * @param workDir the overlay's work directory, or null
     * @param eventHandlers appc event handlers by name ({@code pre-start}, {@code post-stop})
     */
    public record App(String name, Path rootfs, List<String> exec, Map<String, String> environment, int uid, int gid,
            String workingDirectory, List<Integer> supplementaryGids, List<Mount> mounts, boolean readonlyRootfs,
            Resources resources, SecurityPolicy security, List<Path> lowerDirs, Path upperDir, Path workDir,
            Map<String, List<String>> eventHandlers) {
        public App {
            exec = List.copyOf(exec);
            environment = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(environment));
            supplementaryGids = supplementaryGids == null ? List.of() : List.copyOf(supplementaryGids);
            mounts = mounts == null ? List.of() : List.copyOf(mounts);
            resources = resources == null ? Resources.NONE : resources;
            security = security == null ? SecurityPolicy.UNCONFINED : security;
            lowerDirs = lowerDirs == null ? List.of() : List.copyOf(lowerDirs);
            eventHandlers = eventHandlers == null ? Map.of() : Map.copyOf(eventHandlers);
        }

        /** Whether the engine must mount an overlay at {@link #rootfs()} before starting the app. */
        public boolean overlay() {
            return !lowerDirs.isEmpty();
        }
    }

    /**
     * A volume mounted into an app.
     *
     * @param volume the volume's name
     * @param source the host path (for {@code empty} volumes, a directory in the pod)
     * @param target the path inside the app
     * @param readOnly whether it is read-only
     * @param recursive whether sub-mounts are bound too
     * @param propagation {@code private}, {@code rslave} or {@code rshared} (see
     *        {@link org.bosun.api.pod.PodOptions.VolumeSpec#propagation()}); never null
     */
    public record Mount(String volume, Path source, String target, boolean readOnly, boolean recursive,
            String propagation) {
        public static final String PRIVATE = "private";
        public static final String RSLAVE = "rslave";
        public static final String RSHARED = "rshared";

        public Mount {
            propagation = propagation == null ? PRIVATE : propagation;
        }

        /** A mount with private propagation. */
        public Mount(String volume, Path source, String target, boolean readOnly, boolean recursive) {
            this(volume, source, target, readOnly, recursive, PRIVATE);
        }

        /** Whether mounts propagate between the host and the app (rslave or rshared). */
        public boolean propagates() {
            return !PRIVATE.equals(propagation);
        }
    }
}
