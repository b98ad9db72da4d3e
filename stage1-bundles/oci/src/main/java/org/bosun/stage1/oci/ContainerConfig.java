package org.bosun.stage1.oci;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.bosun.api.BosunException;
import org.bosun.api.pod.Resources;
import org.bosun.api.security.IdMapping;
import org.bosun.api.security.SecurityPolicy;
import org.bosun.api.stage1.PodDirectory;
import org.bosun.seccomp.bpf.SeccompBpf;
import org.bosun.stage1.support.EtcMountPoints;
import org.bosun.stage1.support.HostCapabilities;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The OCI runtime-spec 1.0.2 {@code config.json} of each container of a pod: one container per app
 * that joins the pod's network namespace (the one the core made, by its path) and the pod's IPC and
 * UTS namespaces, and has its own PID, mount and cgroup namespaces.
 *
 * <p>The pod's IPC and UTS namespaces are held by the pod's supervisor, which makes them when it
 * starts: no process more is needed, and the apps' configs name no IPC or UTS namespace, so each
 * app has the runtime's, the supervisor's. A pod with a user namespace also has an infra container,
 * which makes the user namespace (the supervisor must stay the host's root to run the runtime) and
 * the IPC and UTS namespaces it owns; its apps join all three by path.
 *
 * <p>Each bundle lives in {@code <pod>/engine/bundles/<id>/}. Paths inside the pod are written
 * relative to the bundle (the runtimes resolve {@code root.path} and bind sources there), so the
 * files stay right when the pod directory moves from prepared/ to run/. The infra container's pid
 * is known only when the pod runs: app configs name its namespaces as
 * {@code /proc/@INFRA_PID@/ns/...}, which the supervisor fills in.
 */
final class ContainerConfig {
    static final String OCI_VERSION = "1.0.2";
    static final String INFRA_PID = "@INFRA_PID@";
    static final String INFRA = "infra";
    static final long NOFILE = 1024;
    static final long CPU_PERIOD_MICROS = 100_000;

    /**
     * Where each app's init is bound: on the container's own /dev tmpfs, so neither the image's
     * rootfs nor a read-only one needs a place for it.
     */
    static final String INIT_TARGET = "/dev/.bosun-init";
    /** Where each app sees its own cgroups, read-only. */
    static final String CGROUP_MOUNT = "/sys/fs/cgroup";
    private static final Function<String, List<String>> HOST_CHILDREN = ContainerConfig::hostChildren;

    private static final ObjectMapper JSON = new ObjectMapper();

    /** crun's annotation for a seccomp program it loads as it is, instead of compiling the section. */
    static final String SECCOMP_BPF_ANNOTATION = "run.oci.seccomp_bpf_data";

    private final PodDirectory pod;
    private final int minimumOomScoreAdj;
    private final Path init;
    private final boolean compiledSeccomp;

    /**
     * @param minimumOomScoreAdj the lowest {@code oom_score_adj} the host lets the engine give
     *        (without CAP_SYS_RESOURCE, nothing below the engine's own)
     * @param init the host's static init binary (catatonit) that is PID 1 of every app container,
     *        see {@link AppInit}
     */
    ContainerConfig(PodDirectory pod, int minimumOomScoreAdj, Path init) {
        this(pod, minimumOomScoreAdj, init, false);
    }

    /**
     * @param compiledSeccomp whether the runtime takes a compiled seccomp program (crun): compiling
     *        the profile here, once, spares crun the ~9 ms libseccomp takes for our three-architecture
     *        profile at every container start. The section stays in the config, complete (crun still
     *        reads its flags from it), and is what any other runtime uses.
     */
    ContainerConfig(PodDirectory pod, int minimumOomScoreAdj, Path init, boolean compiledSeccomp) {
        this.pod = pod;
        this.minimumOomScoreAdj = minimumOomScoreAdj;
        this.init = init;
        this.compiledSeccomp = compiledSeccomp;
    }

    static String appId(String app) {
        return "app-" + app;
    }

    static String handlerId(String handler, String app) {
        return handler + "-" + app;
    }

    /** Where a container's bundle lives. */
    Path bundle(String id) {
        return pod.stage1Dir().resolve("bundles").resolve(id);
    }

    /**
     * Whether the pod needs an infra container: only a pod with a user namespace does (see the class
     * comment); otherwise the supervisor holds the shared namespaces.
     */
    static boolean needsInfra(PodDirectory pod) {
        return pod.settings().userNamespace() != null;
    }

    /**
     * The infra container of a pod with a user namespace: {@code sleep infinity} from the host's
     * /usr, holding the pod's user, IPC and UTS namespaces.
     */
    ObjectNode infra(Path infraRootfs) {
        ObjectNode config = JSON.createObjectNode();
        config.put("ociVersion", OCI_VERSION);
        ObjectNode process = config.putObject("process");
        process.put("terminal", false);
        ObjectNode user = process.putObject("user");
        user.put("uid", 0);
        user.put("gid", 0);
        process.putArray("args").add("/usr/bin/sleep").add("infinity");
        process.putArray("env").add("PATH=/usr/bin");
        process.put("cwd", "/");
        capabilities(process, List.of());
        process.put("noNewPrivileges", true);
        ObjectNode root = config.putObject("root");
        root.put("path", relative(INFRA, infraRootfs));
        root.put("readonly", true);
        if (pod.settings().hostname() != null) {
            config.put("hostname", pod.settings().hostname());
        }
        ArrayNode mounts = config.putArray("mounts");
        mount(mounts, "/proc", "proc", "proc", List.of("nosuid", "noexec", "nodev"));
        mount(mounts, "/dev", "tmpfs", "tmpfs", List.of("nosuid", "noexec", "mode=755", "size=64k"));
        mount(mounts, "/usr", "bind", "/usr", List.of("rbind", "ro", "nosuid", "nodev"));
        ObjectNode linux = config.putObject("linux");
        ArrayNode namespaces = linux.putArray("namespaces");
        namespaces.addObject().put("type", "pid");
        namespaces.addObject().put("type", "mount");
        namespaces.addObject().put("type", "ipc");
        namespaces.addObject().put("type", "uts");
        if (pod.settings().netns() != null && !inheritsNetwork(pod)) {
            namespaces.addObject().put("type", "network").put("path", pod.settings().netns().toString());
        }
        if (pod.settings().userNamespace() != null) {
            namespaces.addObject().put("type", "user");
            idMappings(linux, pod.settings().userNamespace());
        }
        linux.put("cgroupsPath", "/" + INFRA);
        linux.putArray("maskedPaths");
        linux.putArray("readonlyPaths");
        return config;
    }

    /**
     * The container of {@code app}, running {@code args} (the app's exec, or one of its event
     * handlers) under the init, which is the container's PID 1.
     */
    ObjectNode app(PodDirectory.App app, String id, List<String> args) {
        SecurityPolicy policy = app.security();
        ObjectNode config = JSON.createObjectNode();
        config.put("ociVersion", OCI_VERSION);
        ObjectNode process = config.putObject("process");
        process.put("terminal", pod.settings().interactive());
        ObjectNode user = process.putObject("user");
        user.put("uid", Integer.toUnsignedLong(app.uid()));
        user.put("gid", Integer.toUnsignedLong(app.gid()));
        if (!app.supplementaryGids().isEmpty()) {
            ArrayNode gids = user.putArray("additionalGids");
            app.supplementaryGids().forEach(g -> gids.add(Integer.toUnsignedLong(g)));
        }
        ArrayNode argv = process.putArray("args");
        argv.add(INIT_TARGET).add("--");
        args.forEach(argv::add);
        ArrayNode env = process.putArray("env");
        for (Map.Entry<String, String> e : app.environment().entrySet()) {
            env.add(e.getKey() + "=" + e.getValue());
        }
        process.put("cwd", app.workingDirectory());
        // As the core resolved them (all of them when their protection is off); what the host cannot
        // give would fail the container.
        capabilities(process, HostCapabilities.within(policy.capabilities()));
        ArrayNode rlimits = process.putArray("rlimits");
        rlimits.addObject().put("type", "RLIMIT_NOFILE").put("hard", NOFILE).put("soft", NOFILE);
        process.put("noNewPrivileges", policy.noNewPrivileges());
        Integer oom = oomScoreAdj(app.resources());
        if (oom != null) {
            process.put("oomScoreAdj", oom);
        }
        String processLabel = policy.selinuxLabels().process();
        if (processLabel != null) {
            process.put("selinuxLabel", processLabel);
        }

        ObjectNode root = config.putObject("root");
        root.put("path", relative(id, app.rootfs()));
        root.put("readonly", app.readonlyRootfs());

        config.set("mounts", mounts(app, id));

        ObjectNode linux = config.putObject("linux");
        ArrayNode namespaces = linux.putArray("namespaces");
        namespaces.addObject().put("type", "pid");
        namespaces.addObject().put("type", "mount");
        namespaces.addObject().put("type", "cgroup");
        if (needsInfra(pod)) {
            for (String shared : List.of("ipc", "uts")) {
                namespaces.addObject().put("type", shared).put("path", infraNamespace(shared));
            }
        }
        // else: no IPC or UTS namespace of its own, so the container has the runtime's, which are
        // the supervisor's, the pod's (no path to fill in when the pod runs)
        if (pod.settings().netns() != null && !inheritsNetwork(pod)) {
            namespaces.addObject().put("type", "network").put("path", pod.settings().netns().toString());
        }
        if (pod.settings().userNamespace() != null) {
            namespaces.addObject().put("type", "user").put("path", infraNamespace("user"));
            idMappings(linux, pod.settings().userNamespace());
        }
        linux.put("cgroupsPath", "/" + id);
        linux.set("resources", resources(app.resources()));
        ArrayNode masked = linux.putArray("maskedPaths");
        ArrayNode readonly = linux.putArray("readonlyPaths");
        // As the core resolved them (none when their protection is off); empty lists stay written, or
        // the runtime would apply defaults of its own.
        maskedPaths(policy.maskedPaths(), HOST_CHILDREN).forEach(masked::add);
        policy.readonlyPaths().forEach(readonly::add);
        if (policy.seccompProfile() != null && !policy.seccompProfile().isBlank()) {
            JsonNode seccomp = seccomp(app, policy.seccompProfile());
            linux.set("seccomp", seccomp);
            if (compiledSeccomp) {
                // empty for what only libseccomp compiles exactly (argument conditions, ...): crun does it then
                SeccompBpf.compile(seccomp).ifPresent(program -> config.putObject("annotations")
                        .put(SECCOMP_BPF_ANNOTATION, Base64.getEncoder().encodeToString(program)));
            }
        }
        String mountLabel = policy.selinuxLabels().mount();
        if (mountLabel != null) {
            linux.put("mountLabel", mountLabel);
        }
        if (id.equals(appId(app.name()))) {
            config.putObject("hooks").putArray("poststart").add(startedHook(app.name()));
        }
        return config;
    }

    /**
     * Records the app's start in {@code <pod>/apps/<app>/started} (see
     * {@link org.bosun.api.stage1.Stage1Engine}) once the runtime has started its process. runc and
     * crun run hooks in the bundle's directory, {@code <pod>/engine/bundles/<id>/}; a failing
     * poststart hook would make them kill the container, so it never fails, and it reads the state
     * the runtime writes to it to the end (crun fails the hook if it exits before: EPIPE). For runc
     * that read is what keeps the pod's exit code the app's own: runc forwards every signal it gets
     * to the container, the SIGPIPE of its own write to a hook that has already exited included, and
     * the app's init passes it on, so the app died with 141, with or without its output, in about
     * one run in a hundred under load (a hook that only touched the file and exited).
     */
    static ObjectNode startedHook(String app) {
        ObjectNode hook = JSON.createObjectNode();
        hook.put("path", SupervisorScript.SH);
        hook.putArray("args").add("sh").add("-c")
                .add("true 2>/dev/null > ../../../apps/" + app + "/started; while read -r _; do :; done; exit 0");
        return hook;
    }

    /**
     * The masked paths as the runtime gets them. The runtimes mask after mounting, so a masked
     * ancestor of the app's own cgroups ({@code /sys/fs}, as rkt's kernel protections mask it) would
     * hide them: it is masked entry by entry instead, every entry but the way to
     * {@value #CGROUP_MOUNT} (what nspawn does when it mounts the cgroups over an inaccessible
     * /sys/fs). The entries are the host's: the app's /sys shows the same kernel's.
     *
     * @param children the names in a directory of the host
     */
    static List<String> maskedPaths(List<String> masked, Function<String, List<String>> children) {
        List<String> out = new ArrayList<>();
        for (String path : masked) {
            String dir = path.endsWith("/") && path.length() > 1 ? path.substring(0, path.length() - 1) : path;
            if (CGROUP_MOUNT.startsWith(dir.equals("/") ? "/" : dir + "/")) {
                maskAround(dir, children, out);
            } else {
                out.add(path);
            }
        }
        return out;
    }

    private static void maskAround(String dir, Function<String, List<String>> children, List<String> out) {
        for (String name : children.apply(dir).stream().sorted().toList()) {
            String child = (dir.equals("/") ? "" : dir) + "/" + name;
            if (child.equals(CGROUP_MOUNT)) {
                continue;
            }
            if (CGROUP_MOUNT.startsWith(child + "/")) {
                maskAround(child, children, out);
            } else {
                out.add(child);
            }
        }
    }

    private static List<String> hostChildren(String dir) {
        try (var entries = Files.list(Path.of(dir))) {
            return entries.map(p -> p.getFileName().toString()).toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** The app's {@code oom_score_adj}, raised to what the host allows; null for none. */
    Integer oomScoreAdj(Resources resources) {
        if (resources.oomScoreAdj() == null) {
            return null;
        }
        return Math.max(resources.oomScoreAdj(), minimumOomScoreAdj);
    }

    private ArrayNode mounts(PodDirectory.App app, String id) {
        ArrayNode mounts = JSON.createArrayNode();
        mount(mounts, "/proc", "proc", "proc", List.of("nosuid", "noexec", "nodev"));
        mount(mounts, "/dev", "tmpfs", "tmpfs", List.of("nosuid", "strictatime", "mode=755", "size=65536k"));
        mount(mounts, "/dev/pts", "devpts", "devpts",
                List.of("nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"));
        mount(mounts, "/dev/shm", "tmpfs", "shm", List.of("nosuid", "noexec", "nodev", "mode=1777", "size=65536k"));
        mount(mounts, "/dev/mqueue", "mqueue", "mqueue", List.of("nosuid", "noexec", "nodev"));
        if (pod.settings().userNamespace() == null) {
            mount(mounts, "/sys", "sysfs", "sysfs", List.of("nosuid", "noexec", "nodev", "ro"));
        } else {
            // sysfs can only be mounted by the user namespace owning the network namespace, which the
            // host's root made: the host's /sys, read-only, as rootless runc and podman do.
            mount(mounts, "/sys", "bind", "/sys", List.of("rbind", "nosuid", "noexec", "nodev", "ro", "rprivate"));
        }
        mount(mounts, CGROUP_MOUNT, "cgroup", "cgroup", List.of("nosuid", "noexec", "nodev", "relatime", "ro"));
        mount(mounts, INIT_TARGET, "bind", init.toString(), List.of("bind", "ro", "nosuid", "nodev", "rprivate"));
        for (PodDirectory.Mount m : app.mounts()) {
            mount(mounts, m.target(), "bind", relative(id, m.source()),
                    List.of(m.recursive() ? "rbind" : "bind", m.readOnly() ? "ro" : "rw", "rprivate"));
        }
        Path etc = pod.settings().etcDir();
        if (etc != null) {
            for (String file : EtcMountPoints.FILES) {
                if (Files.isRegularFile(etc.resolve(file))) {
                    mount(mounts, "/etc/" + file, "bind", relative(id, etc.resolve(file)),
                            List.of("bind", "ro", "rprivate"));
                }
            }
        }
        return mounts;
    }

    private ObjectNode resources(Resources r) {
        ObjectNode resources = JSON.createObjectNode();
        resources.putArray("devices").addObject().put("allow", false).put("access", "rwm");
        if (r.memoryBytes() != null) {
            resources.putObject("memory").put("limit", r.memoryBytes());
        }
        if (r.cpuMillis() != null || r.cpuShares() != null) {
            ObjectNode cpu = resources.putObject("cpu");
            if (r.cpuShares() != null) {
                cpu.put("shares", r.cpuShares());
            }
            if (r.cpuMillis() != null) {
                cpu.put("quota", r.cpuMillis() * CPU_PERIOD_MICROS / 1000);
                cpu.put("period", CPU_PERIOD_MICROS);
            }
        }
        return resources;
    }

    private static JsonNode seccomp(PodDirectory.App app, String profile) {
        try {
            JsonNode node = JSON.readTree(profile);
            if (node == null || !node.isObject()) {
                throw new IOException("not a JSON object");
            }
            return node;
        } catch (IOException e) {
            throw BosunException.invalid("the seccomp profile of app " + app.name() + " is not OCI JSON ("
                    + e.getMessage().lines().findFirst().orElse("") + "); fix the profile in seccomp.d");
        }
    }

    /**
     * All five sets. Inheritable and ambient stay empty (as Docker does since CVE-2022-24769): root
     * gets the bounding set on exec anyway, other users get no capabilities, as in rkt.
     */
    private static void capabilities(ObjectNode process, List<String> caps) {
        ObjectNode capabilities = process.putObject("capabilities");
        for (String set : List.of("bounding", "effective", "permitted")) {
            ArrayNode array = capabilities.putArray(set);
            caps.forEach(array::add);
        }
        capabilities.putArray("inheritable");
        capabilities.putArray("ambient");
    }

    private static void idMappings(ObjectNode linux, IdMapping mapping) {
        for (String name : List.of("uidMappings", "gidMappings")) {
            linux.putArray(name).addObject().put("containerID", mapping.container()).put("hostID", mapping.host())
                    .put("size", mapping.size());
        }
    }

    private static void mount(ArrayNode mounts, String destination, String type, String source, List<String> options) {
        ObjectNode m = mounts.addObject();
        m.put("destination", destination);
        m.put("type", type);
        m.put("source", source);
        ArrayNode opts = m.putArray("options");
        options.forEach(opts::add);
    }

    /**
     * Whether the containers take the pod's network namespace from the runtime's process instead of
     * joining it by path: with a user namespace, runc joins the infra's user namespace before the
     * network namespace, which that user namespace does not own (EPERM). The pod's process enters the
     * pod's network namespace first ({@link OciEngine#run}), as root of the host, and every container
     * of the pod inherits it; the pod's root can use the network but not reconfigure it.
     */
    static boolean inheritsNetwork(PodDirectory pod) {
        return pod.settings().userNamespace() != null && pod.settings().netns() != null;
    }

    private static String infraNamespace(String type) {
        return "/proc/" + INFRA_PID + "/ns/" + type;
    }

    /** A path inside the pod relative to the container's bundle; anything else as it is. */
    private String relative(String id, Path path) {
        Path p = path.toAbsolutePath().normalize();
        if (p.startsWith(pod.path())) {
            return bundle(id).relativize(p).toString();
        }
        return p.toString();
    }

    static String json(ObjectNode config) {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(config) + "\n";
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
