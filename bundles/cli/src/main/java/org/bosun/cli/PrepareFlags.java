package org.bosun.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.bosun.api.BosunException;
import org.bosun.api.pod.AppRequest;
import org.bosun.api.pod.PrepareRequest;

import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The picocli flags {@code prepare} and {@code run} share (a mixin): pod-level flags before the
 * first image, then {@code IMAGE [app flags] [-- args] [--- IMAGE ...]} as in rkt, kept as words and
 * split per app by {@link AppArgumentGroups}. Builds the {@code PrepareRequest} (with the API's
 * {@code PodOptions}) from them.
 */
final class PrepareFlags {
    @Option(names = "--stage1-name", paramLabel = "NAME",
            description = "the stage1 engine (default: from stage1.d, else nspawn); 'bosun version' lists them")
    String stage1Name;

    @Option(names = "--pod-manifest", paramLabel = "FILE",
            description = "an appc pod manifest naming the apps, their overrides and mounts, the volumes and annotations,"
                    + " instead of images and those flags")
    String podManifest;

    @Option(names = "--uuid-file-save", paramLabel = "FILE", description = "write the pod's UUID to FILE")
    String uuidFileSave;

    @Option(names = "--annotation", paramLabel = "NAME=VALUE", description = "a pod annotation (repeatable)")
    List<String> annotations = new ArrayList<>();

    @Option(names = "--user-annotation", paramLabel = "NAME=VALUE",
            description = "a user annotation of the pod, in its manifest's userAnnotations (repeatable); after an image,"
                    + " the app's own, as rkt's")
    List<String> userAnnotations = new ArrayList<>();

    @Option(names = "--user-label", paramLabel = "NAME=VALUE",
            description = "a user label of the pod, in its manifest's userLabels (repeatable); after an image, the app's"
                    + " own, as rkt's")
    List<String> userLabels = new ArrayList<>();

    @Option(names = "--set-env", paramLabel = "NAME=VALUE", description = "an environment variable for every app (repeatable)")
    List<String> setEnv = new ArrayList<>();

    @Option(names = "--set-env-file", paramLabel = "FILE",
            description = "environment variables for every app, one NAME=VALUE per line (repeatable; --set-env wins)")
    List<String> setEnvFiles = new ArrayList<>();

    @Option(names = "--inherit-env", description = "give every app bosun's own environment (lowest precedence)")
    boolean inheritEnv;

    // Pod identity and storage.
    @Option(names = "--volume",
            paramLabel = "NAME,kind=host|empty[,source=PATH][,readOnly=BOOL][,recursive=BOOL][,mode=0755][,uid=N][,gid=N]",
            description = "a pod volume (repeatable): kind=host with the absolute source=PATH of a host directory, or"
                    + " kind=empty, a new directory (mode, uid and gid: its permissions and owner, default 0755, 0, 0);"
                    + " readOnly (default false), recursive (host: its submounts too, default true); apps mount it at"
                    + " their image's mount point of the same name, or with --mount after their image")
    List<String> volumes = new ArrayList<>();

    @Option(names = "--mount", paramLabel = "volume=NAME,target=PATH",
            description = "before the first image: mount a volume in every app (repeatable); an app's own --mount"
                    + " after its image wins for the same target. A relative PATH is from the app's /")
    List<String> mounts = new ArrayList<>();

    @Option(names = "--interactive", description = "run the (single) app with the caller's terminal and stdin")
    boolean interactive;

    @Option(names = "--no-overlay", description = "copy image trees into the pod instead of mounting them with overlayfs")
    boolean noOverlay;

    @Option(names = "--pull-policy", paramLabel = "new|update|never",
            description = "new: fetch images not in the store (default); update: check the source again; never: use the store only")
    String pullPolicy;

    @Option(names = "--stage1-option", paramLabel = "KEY=VALUE",
            description = "an option of the stage1 engine (repeatable), e.g. runtime=crun for the oci engine")
    List<String> stage1Options = new ArrayList<>();

    // Networking: --net, --dns*, --hostname (run-prepared takes them too).
    @Mixin
    NetworkFlags network;

    @Option(names = "--port", paramLabel = "NAME:HOSTPORT",
            description = "forward a host port to an app port named NAME (repeatable); also NAME:PROTO:PODPORT:HOSTIP:HOSTPORT")
    List<String> ports = new ArrayList<>();

    @Option(names = "--hosts-entry", paramLabel = "IP=HOST[,HOST]|host",
            description = "an /etc/hosts entry in the pod (repeatable); 'host' copies the host's /etc/hosts")
    List<String> hostsEntries = new ArrayList<>();

    // Security.
    @Option(names = "--private-users", description = "run the pod in a user namespace with a host uid range of its own"
            + " (app sandbox: chosen when the sandbox is made; every app added later runs in it)")
    boolean privateUsers;

    @Option(names = "--ipc", paramLabel = "auto|private|parent",
            description = "the pod's IPC namespace: private, its own; parent, the host's; auto (default): private on"
                    + " nspawn and oci, parent on fly (which cannot give it one)")
    String ipc;

    @Option(names = "--sysctl", paramLabel = "KEY=VALUE",
            description = "a kernel setting of the pod's own namespaces (repeatable), set before any app starts:"
                    + " net.* (not with --net=host), kernel.shm*, kernel.msg*, kernel.sem, fs.mqueue.* (not with"
                    + " --ipc=parent); nspawn and oci")
    List<String> sysctls = new ArrayList<>();

    @Parameters(paramLabel = "IMAGE [APP FLAGS] [-- ARGS ---] [IMAGE ...]",
            description = {"images to run, one app each, each followed by its own flags, then '--' and the app's"
                    + " arguments, which '---' ends. The app flags:",
                "  --name=NAME                the app's name (default: from the image's name)",
                "  --exec=COMMAND             the command: a path, or a name looked up in the app's PATH in its image",
                "  --user=USER --group=GROUP  a name of the image's /etc/passwd and /etc/group, a number, or the path of a"
                        + " file in the image (its owner, its group)",
                "  --supplementary-gids=N,... the app's groups (replaces the image's)",
                "  --working-dir=DIR          the working directory",
                "  --environment=NAME=VALUE   an environment variable (repeatable)",
                "  --mount=volume=NAME,target=PATH  a pod volume at PATH in the app (repeatable)",
                "  --readonly-rootfs[=BOOL]   a read-only root filesystem",
                "  --memory=SIZE              a memory limit: 512M, 1Gi, 1073741824",
                "  --cpu=AMOUNT               a CPU limit: 500m (millicores) or 2 (cores)",
                "  --cpu-shares=N             the cgroup CPU weight, 2 to 262144",
                "  --oom-score-adj=N          -1000 to 1000",
                "  --caps-retain=CAP,...      the app's capabilities (replaces the default set)",
                "  --caps-remove=CAP,...      capabilities taken from the default set (all of them: none)",
                "  --seccomp=mode=retain|remove[,errno=ENAME],SYSCALL|@GROUP,...  or profile=NAME (seccomp.d) or profile=/PATH (a profile file); a refused"
                        + " call kills the process with SIGSYS unless errno= names the error to return",
                "  --no-new-privileges[=BOOL] no_new_privs (default: the image's isolator, else true); false lets"
                        + " setuid and file-capability programs gain privileges",
                "  --user-annotation=NAME=VALUE --user-label=NAME=VALUE  the app's own (repeatable)",
                "  --signature=FILE           the image's detached signature (an ACI: a file, URL or appc name)"})
    List<String> images = new ArrayList<>();

    PrepareRequest request(Session session) {
        if (podManifest != null) {
            return podManifestRequest(session);
        }
        return request(session, AppArgumentGroups.parse(images, mounts, session));
    }

    /** The request with {@code apps} (none for a sandbox) and the pod flags. */
    PrepareRequest request(Session session, List<AppRequest> apps) {
        String engine = stage1Name != null ? stage1Name : session.global.configuration().defaultEngine();
        return new PrepareRequest(apps, engine, session.global.insecure(), keyValues(annotations, "--annotation"),
                podOptions(session), keyValues(userAnnotations, "--user-annotation"),
                keyValues(userLabels, "--user-label"));
    }

    /** rkt's {@code --pod-manifest}: the file says what the images and these flags would. */
    private PrepareRequest podManifestRequest(Session session) {
        List<String> conflicts = new ArrayList<>();
        if (!images.isEmpty()) {
            conflicts.add("images");
        }
        addIf(conflicts, !volumes.isEmpty(), "--volume");
        addIf(conflicts, !mounts.isEmpty(), "--mount");
        addIf(conflicts, !ports.isEmpty(), "--port");
        addIf(conflicts, !setEnv.isEmpty(), "--set-env");
        addIf(conflicts, !setEnvFiles.isEmpty(), "--set-env-file");
        addIf(conflicts, inheritEnv, "--inherit-env");
        addIf(conflicts, !annotations.isEmpty(), "--annotation");
        addIf(conflicts, !userAnnotations.isEmpty(), "--user-annotation");
        addIf(conflicts, !userLabels.isEmpty(), "--user-label");
        if (!conflicts.isEmpty()) {
            throw BosunException.invalid("--pod-manifest cannot be combined with " + String.join(", ", conflicts)
                    + ": the pod manifest says what they would; put it in the manifest, or leave out --pod-manifest");
        }
        PodManifestFile file = PodManifestFile.read(session.resolve(podManifest));
        String engine = stage1Name != null ? stage1Name : session.global.configuration().defaultEngine();
        org.bosun.api.pod.PodOptions flags = podOptions(session);
        org.bosun.api.pod.PodOptions options = new org.bosun.api.pod.PodOptions(flags.hostname(), flags.networks(),
                flags.ports(), flags.dns(), flags.hostsEntries(), file.volumes, flags.environment(),
                flags.inheritedEnvironment(), flags.interactive(), flags.privateUsers(), flags.noOverlay(),
                flags.pullPolicy(), flags.engineOptions(), flags.ipc(), flags.sysctls());
        return new PrepareRequest(file.apps, engine, session.global.insecure(), file.annotations, options,
                file.userAnnotations, file.userLabels);
    }

    private static void addIf(List<String> list, boolean condition, String flag) {
        if (condition) {
            list.add(flag);
        }
    }

    /** The pod-level flags as the API's {@link org.bosun.api.pod.PodOptions}; each part checked where it is parsed. */
    org.bosun.api.pod.PodOptions podOptions(Session session) {
        return new org.bosun.api.pod.PodOptions(network.hostname, PodFlagParser.networks(network.networks),
                PodFlagParser.ports(ports),
                network.dns(), hostsEntries, PodFlagParser.volumes(volumes),
                PodFlagParser.environment(setEnvFiles, setEnv, session),
                inheritEnv ? session.invocation.environment() : null, interactive, privateUsers, noOverlay,
                PodFlagParser.pullPolicy(pullPolicy), engineOptions(session), PodFlagParser.ipc(ipc),
                keyValues(sysctls, "--sysctl"));
    }

    /** The engine's option defaults from stage1.d, each overridden by a --stage1-option. */
    private Map<String, String> engineOptions(Session session) {
        String engine = stage1Name != null ? stage1Name : session.global.configuration().defaultEngine();
        Map<String, String> options = new LinkedHashMap<>(session.global.configuration().engineOptions(engine));
        options.putAll(keyValues(stage1Options, "--stage1-option"));
        return options;
    }

    void saveUuid(Session session, String uuid) {
        if (uuidFileSave == null) {
            return;
        }
        Path file = session.resolve(uuidFileSave);
        try {
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(tmp, uuid + "\n");
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw BosunException.invalid("cannot write UUID file " + file + ": " + e.getMessage());
        }
    }

    static Map<String, String> keyValues(List<String> entries, String flag) {
        Map<String, String> result = new LinkedHashMap<>();
        for (String entry : entries) {
            int eq = entry.indexOf('=');
            if (eq <= 0) {
                throw BosunException.invalid(flag + " '" + entry + "' is not NAME=VALUE");
            }
            result.put(entry.substring(0, eq), entry.substring(eq + 1));
        }
        return result;
    }
}
