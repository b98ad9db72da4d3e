package org.bosun.cri;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import org.bosun.api.BosunException;
import org.bosun.api.ErrorKind;
import org.bosun.api.RuntimePaths;
import org.bosun.api.app.AppIo;
import org.bosun.api.app.AppService;
import org.bosun.api.app.AppStatus;
import org.bosun.api.image.StoredImage;
import org.bosun.api.pod.AppInfo;
import org.bosun.api.pod.AppRequest;
import org.bosun.api.pod.AppSettings;
import org.bosun.api.pod.PodInfo;
import org.bosun.api.pod.PodOptions;
import org.bosun.api.pod.PodService;
import org.bosun.api.pod.Resources;
import org.bosun.api.stage1.EngineCommand;
import org.bosun.cri.v1.Container;
import org.bosun.cri.v1.ContainerConfig;
import org.bosun.cri.v1.ContainerFilter;
import org.bosun.cri.v1.ContainerMetadata;
import org.bosun.cri.v1.ContainerState;
import org.bosun.cri.v1.ContainerStatus;
import org.bosun.cri.v1.ExecSyncResponse;
import org.bosun.cri.v1.ImageSpec;
import org.bosun.cri.v1.KeyValue;
import org.bosun.cri.v1.LinuxContainerResources;
import org.bosun.cri.v1.LinuxContainerSecurityContext;
import org.bosun.cri.v1.Mount;
import org.bosun.cri.v1.NamespaceMode;
import org.bosun.cri.v1.SecurityProfile;
import org.bosun.host.HostCapabilities;

import com.google.protobuf.ByteString;

/**
 * CRI containers as apps of a bosun sandbox. A container's id is its sandbox's UUID, a dash and the
 * app's name, which is the container's name and attempt ({@code web-0}): the id leads to the pod and
 * the app with no table to keep, and a second container of one name and attempt in a sandbox is
 * refused by the app service itself. What the CRI says of a container that the app's own records do
 * not keep (its name, attempt, log path, the image as asked) is kept in the app's annotations under
 * {@link #PREFIX}, which a container's own annotations may not use.
 */
final class CriContainers {
    static final String PREFIX = "bosun.org/cri-";
    static final String NAME = PREFIX + "name";
    static final String ATTEMPT = PREFIX + "attempt";
    static final String LOG_PATH = PREFIX + "log-path";
    static final String IMAGE = PREFIX + "image";
    /** A container's mounts, one annotation each: {@code ro|rw}, {@code z} or {@code -} (SELinux relabel asked), container path, newline, host path. */
    static final String MOUNT = PREFIX + "mount-";
    /** Whether this host runs SELinux: without it, a mount's selinux_relabel has nothing to do. */
    private static final boolean SELINUX = Files.isDirectory(Path.of("/sys/fs/selinux"))
            && Files.exists(Path.of("/sys/fs/selinux/enforce"));
    /** Kubernetes container names are DNS labels; an app's name must be an ACName, which they all are. */
    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    private static final int UUID_LENGTH = 36;
    private static final Duration REMOVE_TIMEOUT = Duration.ofSeconds(10);
    /** The oci engine switches seccomp off with this group alone, in retain mode. */
    private static final String SECCOMP_UNCONFINED = "mode=retain,@appc.io/all";

    private final PodService pods;
    private final AppService apps;
    private final RuntimePaths paths;
    private final CriSandboxes sandboxes;
    private final CriImageService images;

    CriContainers(PodService pods, AppService apps, RuntimePaths paths, CriSandboxes sandboxes, CriImageService images) {
        this.pods = pods;
        this.apps = apps;
        this.paths = paths;
        this.sandboxes = sandboxes;
        this.images = images;
    }

    /**
     * The container's I/O modes, on every engine (oci, and nspawn since its added apps have the holder
     * the oci engine runs, stage1 rules' TerminalHolder): its output is {@code stream} (kept in the log
     * and the CRI log exactly as {@code log}, and attachable), and a container with {@code stdin} gets a
     * {@code stream} input that Attach writes into, attached to once with {@code stdin_once} (closed when
     * its first attach ends: the app reads the end of its input); a container with {@code tty} gets a
     * terminal (the {@code tty} mode, all three streams) that Attach with a tty is joined to, whose input
     * stays open with {@code stdin_once} too, as containerd keeps it (a terminal has no end of input to
     * give; ctrl-d is the app's to read).
     */
    static AppIo io(ContainerConfig config) {
        if (config.getTty()) {
            // a terminal is all three streams; its output is the CRI log's stdout
            return new AppIo(AppIo.Mode.TTY, AppIo.Mode.TTY, AppIo.Mode.TTY);
        }
        AppIo io = new AppIo(config.getStdin() ? AppIo.Mode.STREAM : AppIo.Mode.NULL, AppIo.Mode.STREAM,
                AppIo.Mode.STREAM);
        return config.getStdin() && config.getStdinOnce() ? io.withStdinOnce() : io;
    }

    /** A container id: the sandbox and the app. */
    record Id(String uuid, String app) {
        static Id parse(String id) {
            if (id.isEmpty()) {
                throw BosunException.invalid("the request names no container (container_id is empty)");
            }
            if (id.length() < UUID_LENGTH + 2 || id.charAt(UUID_LENGTH) != '-') {
                throw BosunException.notFound("no container " + id);
            }
            return new Id(id.substring(0, UUID_LENGTH), id.substring(UUID_LENGTH + 1));
        }

        String id() {
            return uuid + "-" + app;
        }
    }

    /**
     * The app's name for a container's name, before its attempt: the name itself when it is a DNS
     * label, as kubelet's names are; any other name (critest's have capitals and reach 70
     * characters; the CRI itself only asks for a name) lowercased, each run of other characters
     * a '-', cut at 40, and the first 8 hex digits of the SHA-256 of the whole name added, so that
     * two names that differ only where they were changed or cut stay two apps. The name as given is
     * the container's metadata (annotation {@code bosun.org/cri-name}).
     */
    static String appBase(String name) {
        if (DNS_LABEL.matcher(name).matches()) {
            return name;
        }
        if (name.isEmpty()) {
            throw BosunException.invalid("the container has no name: give metadata.name");
        }
        String base = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-+", "");
        base = base.substring(0, Math.min(base.length(), 40)).replaceAll("-+$", "");
        byte[] digest;
        try {
            digest = MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java platform", e);
        }
        String hash = HexFormat.of().formatHex(digest, 0, 4);
        return base.isEmpty() ? "c-" + hash : base + "-" + hash;
    }

    String create(String sandboxId, ContainerConfig config) {
        PodInfo pod = sandboxes.find(sandboxId);
        ContainerMetadata meta = config.getMetadata();
        String base = appBase(meta.getName());
        for (String key : config.getAnnotationsMap().keySet()) {
            if (key.startsWith(PREFIX)) {
                throw BosunException.invalid("container annotation " + key + " uses the prefix " + PREFIX
                        + ", which bosun keeps for itself");
            }
        }
        refuseUnsupported(config);
        refusePidMismatch(config, pod);
        refuseUnprivilegedSandbox(config, pod);
        String image = config.getImage().getImage();
        if (image.isBlank()) {
            throw BosunException.invalid("the container names no image (image.image is empty)");
        }
        StoredImage stored = images.stored(image);
        Map<String, String> annotations = new LinkedHashMap<>(config.getAnnotationsMap());
        annotations.put(NAME, meta.getName());
        annotations.put(ATTEMPT, Integer.toUnsignedString(meta.getAttempt()));
        annotations.put(IMAGE, image);
        String criLog = null;
        if (!config.getLogPath().isEmpty()) {
            annotations.put(LOG_PATH, config.getLogPath());
            criLog = logPath(pod.annotations().getOrDefault(CriSandboxes.LOG_DIRECTORY, ""), config.getLogPath());
            if (!criLog.startsWith("/")) {
                throw BosunException.invalid("the container's log path '" + criLog + "' is relative: give the sandbox"
                        + " a log_directory or the container an absolute log_path");
            }
        }
        String appName = base + "-" + Integer.toUnsignedString(meta.getAttempt());
        List<PodOptions.VolumeSpec> volumes = new ArrayList<>();
        List<AppSettings.MountRequest> mounts = new ArrayList<>();
        mounts(config, appName, volumes, mounts, annotations, pod);
        AppSettings settings = settings(config, annotations, mounts);
        LinuxContainerSecurityContext security = config.getLinux().getSecurityContext();
        Map<String, String> env = new LinkedHashMap<>();
        for (KeyValue kv : config.getEnvsList()) {
            env.put(kv.getKey(), kv.getValue().toStringUtf8());
        }
        String user = !security.getRunAsUsername().isEmpty() ? security.getRunAsUsername()
                : security.hasRunAsUser() ? Long.toString(security.getRunAsUser().getValue()) : null;
        String group = security.hasRunAsGroup() ? Long.toString(security.getRunAsGroup().getValue()) : null;
        AppRequest app = new AppRequest(stored.id(), appName, config.getCommandList(), config.getArgsList(), env, user,
                group, config.getWorkingDir().isEmpty() ? null : config.getWorkingDir(), settings);
        // the pod's supervisor writes the CRI log, so it goes on when the agent is gone
        AppIo io = io(config);
        io = criLog == null ? io : io.withCriLog(criLog);
        AppStatus added = apps.add(paths, pod.uuid(), app, io, volumes, java.util.Set.of(),
                org.bosun.api.image.Progress.NONE);
        return new Id(pod.uuid(), added.name()).id();
    }

    /**
     * A container's mounts as volumes of the app's own ({@code cri-APP-N}, kind host, recursive binds
     * as kubelet expects of a runtime) and its mounts of them. Refused: a relative container path, a
     * host path that does not exist (INVALID_ARGUMENT, as kubelet expects), id-mapped, recursively
     * read-only and image mounts (not implemented). selinux_relabel is ignored on a host without
     * SELinux (the container's verbose status says so) and refused on one with it. Propagation: see
     * {@link #propagation}.
     */
    private static void mounts(ContainerConfig config, String app, List<PodOptions.VolumeSpec> volumes,
            List<AppSettings.MountRequest> mounts, Map<String, String> annotations, PodInfo sandbox) {
        int i = 0;
        for (Mount m : config.getMountsList()) {
            String where = "mount " + i + " (" + m.getHostPath() + " at " + m.getContainerPath() + ")";
            if (m.hasImage() && !m.getImage().getImage().isEmpty()) {
                throw BosunException.notImplemented(where + ": image volumes are not supported; leave the image out");
            }
            if (m.getUidMappingsCount() > 0 || m.getGidMappingsCount() > 0) {
                throw BosunException.notImplemented(where + ": id-mapped mounts are not supported; leave the"
                        + " uid and gid mappings out");
            }
            if (m.getRecursiveReadOnly()) {
                throw BosunException.notImplemented(where + ": recursively read-only mounts are not supported yet;"
                        + " leave recursive_read_only false");
            }
            if (!m.getContainerPath().startsWith("/") || m.getContainerPath().indexOf('\n') >= 0) {
                throw BosunException.invalid(where + ": container_path must be an absolute path in the container");
            }
            if (!m.getHostPath().startsWith("/") || m.getHostPath().indexOf('\n') >= 0
                    || m.getHostPath().indexOf('\0') >= 0) {
                throw BosunException.invalid(where + ": host_path must be an absolute path on the host");
            }
            if (!Files.exists(Path.of(m.getHostPath()))) {
                throw BosunException.invalid(where + ": host_path " + m.getHostPath() + " does not exist on this"
                        + " host; create it first");
            }
            String propagation = propagation(m, where, config, sandbox);
            if (m.getSelinuxRelabel() && SELINUX) {
                throw BosunException.notImplemented(where + ": relabelling a mount for SELinux is not supported yet;"
                        + " leave selinux_relabel false");
            }
            String volume = "cri-" + app + "-" + i;
            volumes.add(new PodOptions.VolumeSpec(volume, "host", m.getHostPath(), m.getReadonly(), true, null, null,
                    null, propagation));
            mounts.add(new AppSettings.MountRequest(volume, m.getContainerPath()));
            annotations.put(MOUNT + i, (m.getReadonly() ? "ro" : "rw") + (m.getSelinuxRelabel() ? "z" : "-") + " "
                    + m.getContainerPath() + "\n" + m.getHostPath() + (propagation == null ? "" : "\n" + propagation));
            i++;
        }
    }

    /**
     * A mount's propagation as the volume records it: null (private), {@code rslave}
     * (HOST_TO_CONTAINER) or {@code rshared} (BIDIRECTIONAL), as containerd applies them: the host
     * path's mount (the one that holds it, in the agent's mount namespace, which is the host's) must
     * be shared for BIDIRECTIONAL, shared or slave for HOST_TO_CONTAINER, else FAILED_PRECONDITION.
     * BIDIRECTIONAL only for a privileged container, as Kubernetes validates it (a container that
     * could mount on the host is as strong as the host). Only on the oci engine (runc, crun); nspawn
     * binds its volumes private: UNIMPLEMENTED there.
     */
    private static String propagation(Mount m, String where, ContainerConfig config, PodInfo sandbox) {
        String wanted = switch (m.getPropagation()) {
            case PROPAGATION_PRIVATE -> null;
            case PROPAGATION_HOST_TO_CONTAINER -> "rslave";
            case PROPAGATION_BIDIRECTIONAL -> "rshared";
            default -> throw BosunException.invalid(where + ": unknown propagation " + m.getPropagationValue());
        };
        if (wanted == null) {
            return null;
        }
        if (!CriSandboxes.isOci(sandbox)) {
            throw BosunException.notImplemented(where + ": propagation " + m.getPropagation() + " is supported by the"
                    + " runc and crun handlers only; sandbox " + sandbox.uuid() + " runs on "
                    + sandbox.annotations().getOrDefault(CriSandboxes.HANDLER, "another engine"));
        }
        boolean bidirectional = wanted.equals("rshared");
        if (bidirectional && !config.getLinux().getSecurityContext().getPrivileged()) {
            throw BosunException.invalid(where + ": propagation PROPAGATION_BIDIRECTIONAL is allowed only for a"
                    + " privileged container, as Kubernetes allows it; make the container privileged or give"
                    + " PROPAGATION_HOST_TO_CONTAINER");
        }
        org.bosun.host.files.MountInfo mount = holdingMount(Path.of(m.getHostPath()), where);
        boolean shared = mount.optionalFields().stream().anyMatch(f -> f.startsWith("shared:"));
        boolean slave = mount.optionalFields().stream().anyMatch(f -> f.startsWith("master:"));
        if (bidirectional ? !shared : !shared && !slave) {
            throw BosunException.precondition(where + ": propagation " + m.getPropagation() + " needs the host mount "
                    + mount.mountPoint() + " that holds " + m.getHostPath() + " to be shared"
                    + (bidirectional ? "" : " or slave") + ", and it is " + (slave ? "slave" : "private")
                    + "; make it shared (mount --make-rshared " + mount.mountPoint() + ") or give PROPAGATION_PRIVATE");
        }
        return wanted;
    }

    /** The mount of this (the agent's, the host's) mount namespace that holds {@code path}: the last one mounted on its longest prefix. */
    private static org.bosun.host.files.MountInfo holdingMount(Path path, String where) {
        Path real;
        List<org.bosun.host.files.MountInfo> all;
        try {
            real = path.toRealPath();
            all = org.bosun.host.files.MountInfo.read();
        } catch (IOException e) {
            throw BosunException.invalid(where + ": cannot find the host mount that holds " + path + ": "
                    + e.getMessage());
        }
        org.bosun.host.files.MountInfo best = null;
        for (org.bosun.host.files.MountInfo mi : all) {
            if (real.startsWith(mi.mountPoint())
                    && (best == null || mi.mountPoint().getNameCount() >= best.mountPoint().getNameCount())) {
                best = mi;
            }
        }
        if (best == null) {
            throw BosunException.invalid(where + ": no host mount holds " + path);
        }
        return best;
    }

    /** The mounts {@link #mounts} recorded in an app's annotations, in order. */
    static List<Mount> recordedMounts(Map<String, String> recorded) {
        List<Mount> result = new ArrayList<>();
        for (int i = 0; recorded.containsKey(MOUNT + i); i++) {
            String v = recorded.get(MOUNT + i);
            int nl = v.indexOf('\n');
            if (v.length() < 4 || nl < 0) {
                break;
            }
            String host = v.substring(nl + 1);
            int second = host.indexOf('\n');
            String propagation = second < 0 ? "" : host.substring(second + 1);
            host = second < 0 ? host : host.substring(0, second);
            result.add(Mount.newBuilder().setReadonly(v.startsWith("ro")).setSelinuxRelabel(v.charAt(2) == 'z')
                    .setContainerPath(v.substring(4, nl)).setHostPath(host)
                    .setPropagation(switch (propagation) {
                        case "rslave" -> org.bosun.cri.v1.MountPropagation.PROPAGATION_HOST_TO_CONTAINER;
                        case "rshared" -> org.bosun.cri.v1.MountPropagation.PROPAGATION_BIDIRECTIONAL;
                        default -> org.bosun.cri.v1.MountPropagation.PROPAGATION_PRIVATE;
                    }).build());
        }
        return result;
    }

    /** The verbose info of a container: its mounts, and what bosun did not do of them. */
    String verboseInfo(ContainerStatus s) {
        StringBuilder out = new StringBuilder("{\"id\":").append(CriJson.quote(s.getId())).append(",\"mounts\":[");
        List<String> notes = new ArrayList<>();
        for (Mount m : s.getMountsList()) {
            if (out.charAt(out.length() - 1) != '[') {
                out.append(',');
            }
            out.append("{\"container_path\":").append(CriJson.quote(m.getContainerPath())).append(",\"host_path\":")
                    .append(CriJson.quote(m.getHostPath())).append(",\"readonly\":").append(m.getReadonly())
                    .append(",\"propagation\":\"").append(switch (m.getPropagation()) {
                        case PROPAGATION_HOST_TO_CONTAINER -> "rslave";
                        case PROPAGATION_BIDIRECTIONAL -> "rshared";
                        default -> "private";
                    }).append("\",\"recursive\":true}");
            if (m.getSelinuxRelabel()) {
                notes.add("selinux_relabel of " + m.getContainerPath() + " ignored: SELinux is not enabled on this host");
            }
        }
        out.append("]");
        if (s.hasResources()) {
            LinuxContainerResources r = s.getResources().getLinux();
            out.append(",\"resources\":{\"cpu_shares\":").append(r.getCpuShares()).append(",\"cpu_quota\":")
                    .append(r.getCpuQuota()).append(",\"cpu_period\":").append(r.getCpuPeriod())
                    .append(",\"cpuset_cpus\":").append(CriJson.quote(r.getCpusetCpus())).append(",\"cpuset_mems\":")
                    .append(CriJson.quote(r.getCpusetMems())).append(",\"memory_limit_in_bytes\":")
                    .append(r.getMemoryLimitInBytes()).append('}');
        }
        out.append(",\"notes\":[");
        for (int i = 0; i < notes.size(); i++) {
            out.append(i == 0 ? "" : ",").append(CriJson.quote(notes.get(i)));
        }
        return out.append("]}").toString();
    }

    /**
     * The app's settings: groups, read-only rootfs, resources, capabilities, seccomp, kernel paths,
     * privileged, no_new_privs (given by every request: proto3 cannot leave it out), labels and annotations.
     */
    private static AppSettings settings(ContainerConfig config, Map<String, String> annotations,
            List<AppSettings.MountRequest> mounts) {
        LinuxContainerSecurityContext security = config.getLinux().getSecurityContext();
        // privileged: every capability, no seccomp filter, no kernel paths, whatever else the context says
        // (the capabilities, seccomp and paths modules switch themselves off for it), as containerd does
        boolean privileged = security.getPrivileged();
        Caps caps = security.hasCapabilities() && !privileged ? capabilities(security.getCapabilities()) : Caps.DEFAULT;
        List<Integer> groups = security.getSupplementalGroupsList().stream().map(Long::intValue).toList();
        return new AppSettings(groups, mounts, security.getReadonlyRootfs(),
                resources(config.getLinux().getResources()), caps.retain(), caps.remove(),
                privileged ? null : seccomp(security),
                annotations, config.getLabelsMap(), caps.add(), privileged ? null : security.getMaskedPathsList(),
                privileged ? null : security.getReadonlyPathsList(), privileged, security.getNoNewPrivs());
    }

    /**
     * A container's capabilities as the capabilities module's settings: exactly {@code retain}, or the
     * default set without {@code remove} and with {@code add}.
     */
    record Caps(List<String> retain, List<String> remove, List<String> add) {
        static final Caps DEFAULT = new Caps(null, null, null);

        Caps {
            retain = retain == null ? List.of() : retain;
            remove = remove == null ? List.of() : remove;
            add = add == null ? List.of() : add;
        }
    }

    /**
     * The CRI's add and drop lists as containerd and CRI-O apply them: {@code ALL} added gives every
     * capability, {@code ALL} dropped then none (drop ALL wins over add ALL), then the named ones are
     * added to that set (the default one when neither list says ALL), then the named ones dropped
     * (a capability both added and dropped is dropped). {@code add ALL, drop CHOWN}: every capability
     * but CAP_CHOWN; {@code add CHOWN, drop ALL}: CAP_CHOWN only.
     */
    static Caps capabilities(org.bosun.cri.v1.Capability given) {
        boolean addAll = given.getAddCapabilitiesList().stream().anyMatch(c -> c.equalsIgnoreCase("ALL"));
        boolean dropAll = given.getDropCapabilitiesList().stream().anyMatch(c -> c.equalsIgnoreCase("ALL"));
        java.util.Set<String> drop = new java.util.LinkedHashSet<>();
        given.getDropCapabilitiesList().stream().filter(c -> !c.equalsIgnoreCase("ALL"))
                .forEach(c -> drop.add(capability(c)));
        java.util.Set<String> add = new java.util.LinkedHashSet<>();
        given.getAddCapabilitiesList().stream().filter(c -> !c.equalsIgnoreCase("ALL"))
                .forEach(c -> add.add(capability(c)));
        add.removeAll(drop);
        if (dropAll || addAll) {
            java.util.Set<String> exactly = new java.util.LinkedHashSet<>(dropAll ? List.of()
                    : HostCapabilities.BY_NUMBER);
            exactly.addAll(add);
            exactly.removeAll(drop);
            // an empty retain set reads as none given (the image's or the default set): remove them all
            return exactly.isEmpty() ? new Caps(null, HostCapabilities.BY_NUMBER, null)
                    : new Caps(List.copyOf(exactly), null, null);
        }
        return new Caps(null, List.copyOf(drop), List.copyOf(add));
    }

    static void refuseUnsupported(ContainerConfig config) {
        if (config.getCommandCount() == 0 && config.getArgsCount() > 0) {
            throw BosunException.notImplemented("args without a command are not supported yet: bosun's image"
                    + " records do not keep an image's entrypoint apart from its command; give the command too");
        }
        if (config.getDevicesCount() > 0 || config.getCDIDevicesCount() > 0) {
            throw BosunException.notImplemented("container devices are not supported yet; leave devices out");
        }
        LinuxContainerSecurityContext security = config.getLinux().getSecurityContext();
        if (security.hasApparmor() && security.getApparmor().getProfileType() != SecurityProfile.ProfileType.Unconfined) {
            throw BosunException.notImplemented("AppArmor is not available on this host; leave the apparmor profile"
                    + " out or make it Unconfined");
        }
        if (security.getCapabilities().getAddAmbientCapabilitiesCount() > 0) {
            throw BosunException.notImplemented("ambient capabilities are not supported yet");
        }
        if (security.hasRunAsGroup() && !security.hasRunAsUser() && security.getRunAsUsername().isEmpty()) {
            // the CRI: "RunAsGroup should only be specified when RunAsUser or RunAsUsername is specified;
            // otherwise, the runtime MUST error"
            throw BosunException.invalid("the container's run_as_group is set without run_as_user or"
                    + " run_as_username; give the user too, or leave the group out");
        }
        switch (security.getNamespaceOptions().getPid()) {
            case CONTAINER -> {
            }
            case POD -> {
                // the sandbox's, checked against it (refusePidMismatch)
            }
            case NODE -> {
                // the sandbox's, checked against it (refusePidMismatch)
            }
            case TARGET -> throw BosunException.notImplemented("a container in another container's PID namespace"
                    + " (pid TARGET) is not supported; give pid CONTAINER");
            default -> throw BosunException.invalid("unknown PID namespace mode "
                    + security.getNamespaceOptions().getPidValue());
        }
    }

    /**
     * A container's PID namespace is its sandbox's choice: the containers of a sandbox made with pid POD
     * on the oci engine share one, those of a sandbox made with pid NODE (oci only) are in the host's,
     * the others have one each. A container whose namespace options ask
     * for the other (kubelet gives a container the sandbox's) is refused, not run otherwise than asked.
     * The containers of an nspawn sandbox share the pod's systemd's PID namespace anyway: pid POD is
     * what they get.
     */
    static void refusePidMismatch(ContainerConfig config, PodInfo sandbox) {
        LinuxContainerSecurityContext security = config.getLinux().getSecurityContext();
        if (!security.hasNamespaceOptions()) {
            return;
        }
        NamespaceMode pid = security.getNamespaceOptions().getPid();
        boolean hostPid = CriSandboxes.hostPid(sandbox);
        if (pid == NamespaceMode.NODE && !hostPid) {
            throw BosunException.invalid("the container asks for the host's PID namespace (pid NODE), but sandbox "
                    + sandbox.uuid() + " is not in it; make the sandbox with pid NODE, or give the container the"
                    + " sandbox's pid mode");
        }
        if (pid != NamespaceMode.NODE && hostPid) {
            throw BosunException.invalid("the container asks for pid " + pid + ", but sandbox " + sandbox.uuid()
                    + " and its containers are in the host's PID namespace (pid NODE); give pid NODE");
        }
        if (hostPid) {
            return;
        }
        boolean oci = CriSandboxes.isOci(sandbox);
        if (pid == NamespaceMode.POD && oci && !CriSandboxes.sharesPid(sandbox)) {
            throw BosunException.invalid("the container asks for its sandbox's shared PID namespace (pid POD), but"
                    + " sandbox " + sandbox.uuid() + " gives each container a PID namespace of its own; give pid"
                    + " CONTAINER, or make the sandbox with pid POD");
        }
        if (pid == NamespaceMode.CONTAINER && oci && CriSandboxes.sharesPid(sandbox)) {
            throw BosunException.notImplemented("a container with a PID namespace of its own in sandbox "
                    + sandbox.uuid() + ", whose containers share one (pid POD), is not supported; give pid POD");
        }
    }

    /**
     * A privileged container needs a privileged sandbox, as containerd requires: a sandbox made without
     * it gives none of its containers the host.
     */
    static void refuseUnprivilegedSandbox(ContainerConfig config, PodInfo sandbox) {
        if (config.getLinux().getSecurityContext().getPrivileged() && !CriSandboxes.isPrivileged(sandbox)) {
            throw BosunException.invalid("a privileged container needs a privileged sandbox, and sandbox "
                    + sandbox.uuid() + " is not privileged; make the sandbox with linux.security_context.privileged");
        }
    }

    /** Kubernetes names capabilities without their prefix ({@code NET_ADMIN}); bosun's have it. */
    private static String capability(String name) {
        String upper = name.toUpperCase(java.util.Locale.ROOT);
        return upper.startsWith("CAP_") ? upper : "CAP_" + upper;
    }

    /**
     * The app's {@code --seccomp} for a container's seccomp: the {@code seccomp} profile when given, else
     * the deprecated {@code seccomp_profile_path} ({@code runtime/default}, {@code docker/default},
     * {@code unconfined}, {@code localhost/PATH}); neither given is Unconfined, as the CRI says (kubelet
     * sends Unconfined itself for a pod that names no profile). RuntimeDefault is bosun's default filter
     * (null: no flag); Unconfined is the seccomp module's own "no filter", {@code @appc.io/all} retained;
     * a Localhost profile is a {@code profile=} with the profile file's absolute host path, which the
     * seccomp module loads as it loads its named profiles (OCI or Docker format).
     */
    static String seccomp(LinuxContainerSecurityContext security) {
        if (security.hasSeccomp()) {
            SecurityProfile profile = security.getSeccomp();
            return switch (profile.getProfileType()) {
                case RuntimeDefault -> null;
                case Unconfined -> SECCOMP_UNCONFINED;
                case Localhost -> localhostSeccomp(profile.getLocalhostRef(), "seccomp.localhost_ref");
                default -> throw BosunException.invalid("unknown seccomp profile type " + profile.getProfileTypeValue()
                        + "; give RuntimeDefault, Unconfined or Localhost");
            };
        }
        String path = security.getSeccompProfilePath();
        if (path.isEmpty() || path.equals("unconfined")) {
            return SECCOMP_UNCONFINED;
        }
        if (path.equals("runtime/default") || path.equals("docker/default")) {
            return null;
        }
        if (path.startsWith("localhost/")) {
            return localhostSeccomp(path.substring("localhost/".length()), "seccomp_profile_path " + path);
        }
        throw BosunException.invalid("seccomp_profile_path '" + path + "' is none of runtime/default, docker/default,"
                + " unconfined or localhost/PATH; write localhost/ before a profile's path");
    }

    private static String localhostSeccomp(String file, String where) {
        if (!file.startsWith("/") || file.indexOf('\n') >= 0 || file.indexOf('\0') >= 0) {
            throw BosunException.invalid(where + ": a localhost seccomp profile must be an absolute path on the host,"
                    + " such as /var/lib/kubelet/seccomp/profile.json");
        }
        if (!Files.isRegularFile(Path.of(file))) {
            throw BosunException.invalid(where + ": there is no seccomp profile file " + file + " on this host;"
                    + " create it first");
        }
        return "profile=" + file;
    }

    static Resources resources(LinuxContainerResources r) {
        if (r.getHugepageLimitsCount() > 0) {
            throw BosunException.notImplemented("hugepage limits are not supported; leave hugepages out");
        }
        if (!r.getCpusetCpus().isEmpty() || !r.getCpusetMems().isEmpty() || r.getUnifiedCount() > 0) {
            throw BosunException.notImplemented("cpusets and cgroup v2 unified settings are not supported yet");
        }
        if (r.getMemorySwapLimitInBytes() != 0 && r.getMemorySwapLimitInBytes() != r.getMemoryLimitInBytes()) {
            throw BosunException.notImplemented("a swap limit other than the memory limit is not supported");
        }
        Long memory = r.getMemoryLimitInBytes() > 0 ? r.getMemoryLimitInBytes() : null;
        Long cpu = r.getCpuQuota() > 0 && r.getCpuPeriod() > 0 ? Math.max(1, r.getCpuQuota() * 1000 / r.getCpuPeriod())
                : null;
        Long shares = r.getCpuShares() > 0 ? r.getCpuShares() : null;
        Integer oom = r.getOomScoreAdj() != 0 ? (int) r.getOomScoreAdj() : null;
        return new Resources(memory, cpu, shares, oom);
    }

    /** The full path of a container's log: the sandbox's log directory and the container's log path. */
    static String logPath(String logDirectory, String logPath) {
        return logDirectory.isEmpty() ? logPath : java.nio.file.Path.of(logDirectory).resolve(logPath).toString();
    }

    /** The container's CRI log opened again at its path; FAILED_PRECONDITION if it does not run. */
    void reopenLog(String id) {
        Id c = find(id);
        AppStatus s = apps.status(paths, c.uuid(), c.app());
        if (s.state() != AppStatus.State.RUNNING) {
            throw BosunException.precondition("container " + id + " is " + s.state().label()
                    + "; only a running container's log is reopened");
        }
        if (s.io().criLog() == null) {
            throw BosunException.precondition("container " + id + " was created without a log_path, so it has no log"
                    + " to reopen");
        }
        apps.reopenLog(paths, c.uuid(), c.app());
    }

    void start(String id) {
        Id c = find(id);
        apps.start(paths, c.uuid(), c.app());
    }

    /** Stopping a container that does not run succeeds, as the CRI asks. */
    void stop(String id, long timeoutSeconds) {
        Id c = find(id);
        AppStatus s = apps.status(paths, c.uuid(), c.app());
        if (s.state() != AppStatus.State.RUNNING && s.state() != AppStatus.State.STARTING) {
            return;
        }
        if (sandboxes.find(c.uuid()).state() != org.bosun.api.pod.PodState.RUNNING) {
            return;
        }
        apps.stop(paths, c.uuid(), c.app(), Duration.ofSeconds(Math.max(0, timeoutSeconds)), timeoutSeconds <= 0);
    }

    /** Removing a container that is not there succeeds, as the CRI asks. */
    void remove(String id) {
        Id c;
        try {
            c = find(id);
        } catch (BosunException e) {
            if (e.kind() == ErrorKind.NOT_FOUND) {
                return;
            }
            throw e;
        }
        apps.remove(paths, c.uuid(), c.app(), REMOVE_TIMEOUT);
    }

    /** The container's id, checked: its sandbox exists and has an app of that name made through the CRI. */
    Id find(String id) {
        Id c = Id.parse(id);
        PodInfo pod;
        try {
            pod = sandboxes.find(c.uuid());
        } catch (BosunException e) {
            if (e.kind() == ErrorKind.NOT_FOUND) {
                throw BosunException.notFound("no container " + id);
            }
            throw e;
        }
        if (pod.apps().stream().noneMatch(a -> a.name().equals(c.app()) && a.userAnnotations().containsKey(NAME))) {
            throw BosunException.notFound("no container " + id);
        }
        return c;
    }

    List<Container> list(ContainerFilter filter) {
        List<Container> list = new ArrayList<>();
        for (PodInfo pod : sandboxes.sandboxes()) {
            if (!filter.getPodSandboxId().isEmpty() && !filter.getPodSandboxId().equals(pod.uuid())) {
                continue;
            }
            for (ContainerStatus s : statuses(pod)) {
                if (!filter.getId().isEmpty() && !filter.getId().equals(s.getId())) {
                    continue;
                }
                if (filter.hasState() && filter.getState().getState() != s.getState()) {
                    continue;
                }
                if (!selects(filter.getLabelSelectorMap(), s.getLabelsMap())) {
                    continue;
                }
                list.add(Container.newBuilder().setId(s.getId()).setPodSandboxId(pod.uuid()).setMetadata(s.getMetadata())
                        .setImage(s.getImage()).setImageRef(s.getImageRef()).setImageId(s.getImageId())
                        .setState(s.getState()).setCreatedAt(s.getCreatedAt()).putAllLabels(s.getLabelsMap())
                        .putAllAnnotations(s.getAnnotationsMap()).build());
            }
        }
        return list;
    }

    ContainerStatus status(String id) {
        Id c = find(id);
        PodInfo pod = sandboxes.find(c.uuid());
        for (ContainerStatus s : statuses(pod)) {
            if (s.getId().equals(id)) {
                return s;
            }
        }
        throw BosunException.notFound("no container " + id);
    }

    /** The CRI containers of a sandbox, from the app service's states and the pod's app records. */
    List<ContainerStatus> statuses(PodInfo pod) {
        Map<String, AppInfo> infos = new HashMap<>();
        for (AppInfo a : pod.apps()) {
            infos.put(a.name(), a);
        }
        String logDirectory = pod.annotations().getOrDefault(CriSandboxes.LOG_DIRECTORY, "");
        List<ContainerStatus> statuses = new ArrayList<>();
        List<AppStatus> all;
        try {
            all = apps.list(paths, pod.uuid());
        } catch (BosunException e) {
            if (e.kind() == ErrorKind.NOT_FOUND) {
                return statuses; // removed meanwhile
            }
            throw e;
        }
        for (AppStatus a : all) {
            AppInfo info = infos.get(a.name());
            Map<String, String> recorded = a.userAnnotations();
            if (!recorded.containsKey(NAME)) {
                continue;
            }
            Map<String, String> annotations = new LinkedHashMap<>();
            recorded.forEach((k, v) -> {
                if (!k.startsWith(PREFIX)) {
                    annotations.put(k, v);
                }
            });
            int attempt;
            try {
                attempt = Integer.parseUnsignedInt(recorded.getOrDefault(ATTEMPT, "0"));
            } catch (NumberFormatException e) {
                attempt = 0;
            }
            ContainerStatus.Builder s = ContainerStatus.newBuilder().setId(new Id(pod.uuid(), a.name()).id())
                    .setMetadata(ContainerMetadata.newBuilder().setName(recorded.get(NAME)).setAttempt(attempt))
                    .setState(state(a.state())).setCreatedAt(CriImageService.nanos(a.created()))
                    .setImage(ImageSpec.newBuilder().setImage(recorded.getOrDefault(IMAGE, a.imageName())))
                    .setImageRef(a.imageId()).setImageId(a.imageId()).putAllAnnotations(annotations);
            if (info != null) {
                s.putAllLabels(info.userLabels());
            }
            if (a.started() != null) {
                s.setStartedAt(CriImageService.nanos(a.started()));
            }
            if (a.finished() != null) {
                s.setFinishedAt(CriImageService.nanos(a.finished()));
            }
            if (a.exitCode() != null) {
                s.setExitCode(a.exitCode()).setReason(a.exitCode() == 0 ? "Completed" : "Error");
            }
            s.addAllMounts(recordedMounts(recorded));
            String logPath = recorded.get(LOG_PATH);
            if (logPath != null) {
                s.setLogPath(logPath(logDirectory, logPath));
            }
            statuses.add(s.build());
        }
        return statuses;
    }

    static ContainerState state(AppStatus.State state) {
        return switch (state) {
            case CREATED -> ContainerState.CONTAINER_CREATED;
            case STARTING, RUNNING -> ContainerState.CONTAINER_RUNNING;
            case EXITED -> ContainerState.CONTAINER_EXITED;
            case UNKNOWN -> ContainerState.CONTAINER_UNKNOWN;
        };
    }

    /** A CRI label selector: every key with exactly its value. */
    static boolean selects(Map<String, String> selector, Map<String, String> labels) {
        for (Map.Entry<String, String> e : selector.entrySet()) {
            if (!e.getValue().equals(labels.get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }

    /** How long a timed-out exec's processes may take to end once killed (see {@link ProcessTree}). */
    static final Duration EXEC_KILL_WAIT = Duration.ofSeconds(5);

    /**
     * Runs {@code command} in the container as {@code bosun enter --app} does (the app's whole security
     * context), its output captured; after {@code timeoutSeconds} (0: none) it and its children are
     * killed and, once they are gone from the container (reaped, not zombies), the call fails with
     * DEADLINE_EXCEEDED.
     */
    ExecSyncResponse execSync(String id, List<String> command, long timeoutSeconds) {
        Id c = find(id);
        if (command.isEmpty()) {
            throw BosunException.invalid("the exec request names no command (cmd is empty)");
        }
        if (apps.status(paths, c.uuid(), c.app()).state() != AppStatus.State.RUNNING) {
            throw BosunException.precondition("container " + id + " is not running; exec works in a running container");
        }
        EngineCommand enter = pods.enter(paths, c.uuid(), c.app(), command);
        ProcessBuilder builder = new ProcessBuilder(enter.argv()).directory(new java.io.File(enter.workingDirectory()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        builder.environment().clear();
        for (String entry : enter.environment()) {
            int eq = entry.indexOf('=');
            if (eq > 0) {
                builder.environment().put(entry.substring(0, eq), entry.substring(eq + 1));
            }
        }
        Process p;
        try {
            p = builder.start();
        } catch (IOException e) {
            throw BosunException.internal("cannot run " + command.get(0) + " in container " + id + ": "
                    + e.getMessage(), e);
        }
        CompletableFuture<byte[]> out = drain(p.getInputStream());
        CompletableFuture<byte[]> err = drain(p.getErrorStream());
        try {
            boolean done = timeoutSeconds > 0 ? p.waitFor(timeoutSeconds, TimeUnit.SECONDS) : p.waitFor() >= 0;
            if (!done) {
                boolean gone = ProcessTree.killBelow(p, EXEC_KILL_WAIT);
                throw BosunException.deadlineExceeded("command " + command.get(0) + " in container " + id
                        + " did not end within " + timeoutSeconds + " s; it was killed"
                        + (gone ? "" : ", but not all of its processes had ended " + EXEC_KILL_WAIT.toSeconds()
                                + " s later"));
            }
            return ExecSyncResponse.newBuilder().setStdout(ByteString.copyFrom(out.get()))
                    .setStderr(ByteString.copyFrom(err.get())).setExitCode(p.exitValue()).build();
        } catch (InterruptedException e) {
            try {
                ProcessTree.killBelow(p, EXEC_KILL_WAIT);
            } catch (InterruptedException again) {
                p.destroyForcibly();
            }
            Thread.currentThread().interrupt();
            throw BosunException.cancelled("exec in container " + id + " was cancelled");
        } catch (ExecutionException e) {
            throw BosunException.internal("cannot read the output of " + command.get(0) + ": " + e.getMessage(), e);
        }
    }

    private static CompletableFuture<byte[]> drain(InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            try (in) {
                return in.readAllBytes();
            } catch (IOException e) {
                return e.getMessage().getBytes(StandardCharsets.UTF_8);
            }
        });
    }
}
