package org.bosun.stage1.oci;

import static org.junit.Assert.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.bosun.api.pod.Resources;
import org.bosun.api.security.IdMapping;
import org.bosun.api.security.Protection;
import org.bosun.api.security.SecurityPolicy;
import org.bosun.api.security.SelinuxLabels;
import org.bosun.api.stage1.PodDirectory;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * The config.json of representative pods, byte for byte as the engine wrote them before its spec
 * became a typed model (the files under golden/ were written by the untyped ContainerConfig, an
 * ObjectNode tree built field by field).
 */
public class ContainerSpecGoldenTest {
    static final Path INIT = Path.of("/usr/bin/catatonit");
    static final String SECCOMP = "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":38,\"architectures\":"
            + "[\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_X86\"],\"syscalls\":[{\"names\":[\"read\",\"write\",\"exit_group\"],"
            + "\"action\":\"SCMP_ACT_ALLOW\"},{\"names\":[\"mkdir\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":1}],"
            + "\"flags\":[\"SECCOMP_FILTER_FLAG_LOG\"]}";
    /**
     * What the core gives an engine for an app no security module contributed to (its PolicyDefaults):
     * runc's capabilities and paths, which the engine applied itself when these files were written.
     */
    static final SecurityPolicy NOTHING_CONTRIBUTED = SecurityPolicy.UNCONFINED
            .withCapabilities(Set.of("CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"))
            .withPaths(List.of("/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
                    "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi"),
                    List.of("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"));
    static Path pod;

    @BeforeClass
    public static void podDirectory() throws IOException {
        // a fixed path: relative paths and the pod's own paths appear in the configs
        pod = Path.of("/tmp/bosun-oci-golden-1234");
        deleteTree(pod);
        Files.createDirectories(pod.resolve("etc"));
        Files.writeString(pod.resolve("etc/resolv.conf"), "nameserver 10.0.0.1\n");
        Files.writeString(pod.resolve("etc/hosts"), "127.0.0.1 localhost\n");
    }

    @AfterClass
    public static void removePodDirectory() throws IOException {
        deleteTree(pod);
    }

    private static void deleteTree(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (var walk = Files.walk(dir)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    static PodDirectory.App app(String name, SecurityPolicy policy, Resources resources, List<PodDirectory.Mount> mounts,
            boolean readonly, List<Integer> gids, Map<String, List<String>> handlers) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", "/usr/bin:/bin");
        env.put("AC_APP_NAME", name);
        env.put("TRICKY", "@INFRA_PID@ \"quoted\" \\ back");
        return new PodDirectory.App(name, pod.resolve("apps").resolve(name).resolve("rootfs"),
                List.of("/bin/sh", "-c", "echo \"$1\"", "x"), env, 1000, 100, "/srv", gids, mounts, readonly, resources,
                policy, null, null, null, handlers);
    }

    static String config(PodDirectory p, PodDirectory.App app, String id, List<String> args, int oom, boolean crun) {
        return ContainerSpecs.json(new ContainerSpecs(p, oom, INIT, crun).app(app, id, args));
    }

    static String infra(PodDirectory p) {
        return ContainerSpecs.json(new ContainerSpecs(p, 0, INIT, false).infra(p.stage1Dir().resolve("infra-rootfs")));
    }

    /** An app with nothing contributed, on the host's network: runc's defaults, as the core resolves them. */
    @Test
    public void anUnconfinedAppOnTheHostsNetwork() throws IOException {
        PodDirectory.App web = app("web", NOTHING_CONTRIBUTED, null, null, false, null, null);
        PodDirectory p = new PodDirectory("1234", pod, List.of(web), Map.of(), null);
        check("unconfined", config(p, web, "app-web", web.exec(), 0, false));
    }

    /** Every concern at once, for crun: policy, limits, volumes, etc files, network, hostname. */
    @Test
    public void aConfinedLimitedAppWithVolumesForCrun() throws IOException {
        SecurityPolicy policy = new SecurityPolicy(Set.of("CAP_NET_BIND_SERVICE", "CAP_CHOWN", "CAP_KILL"), true, SECCOMP,
                List.of("/proc/kcore", "/proc/keys"), List.of("/proc/sys", "/proc/bus"), List.of(),
                new SelinuxLabels("system_u:system_r:container_t:s0:c1,c2", "system_u:object_r:container_file_t:s0:c1,c2"),
                Set.of(), false);
        List<PodDirectory.Mount> mounts = List.of(new PodDirectory.Mount("data", pod.resolve("volumes/data"), "/data",
                false, false), new PodDirectory.Mount("share", Path.of("/srv/share"), "/share", true, true));
        PodDirectory.App db = app("db", policy, new Resources(64L << 20, 1500L, 512L, -500), mounts, true, List.of(10, 20),
                null);
        PodDirectory.Pod settings = new PodDirectory.Pod("pod1", Path.of("/run/netns/bosun-1234"), pod.resolve("etc"),
                false, Map.of("runtime", "crun"), null);
        PodDirectory p = new PodDirectory("1234", pod, List.of(db), Map.of(), settings);
        check("confined-crun", config(p, db, "app-db", db.exec(), -100, true));
        check("confined-runc", config(p, db, "app-db", db.exec(), -100, false));
    }

    /** A pod with a user namespace: the infra container, an app and its handler joining it. */
    @Test
    public void aPodWithAUserNamespace() throws IOException {
        PodDirectory.App web = app("web", NOTHING_CONTRIBUTED.withNoNewPrivileges(true), new Resources(null, null,
                256L, null), null, false, null, Map.of("pre-start", List.of("/bin/setup", "--now")));
        PodDirectory.Pod settings = new PodDirectory.Pod("pod2", Path.of("/run/netns/bosun-1234"), pod.resolve("etc"),
                false, null, new IdMapping(0, 300_000, 65_536));
        PodDirectory p = new PodDirectory("1234", pod, List.of(web), Map.of(), settings);
        check("userns-infra", infra(p));
        check("userns-app", config(p, web, "app-web", web.exec(), 0, false));
        check("userns-pre-start", config(p, web, "pre-start-web", List.of("/bin/setup", "--now"), 0, false));
    }

    /** A user namespace on the host's network: the infra and apps have no network entry. */
    @Test
    public void aPodWithAUserNamespaceOnTheHostsNetwork() throws IOException {
        PodDirectory.App web = app("web", NOTHING_CONTRIBUTED, null, null, false, null, null);
        PodDirectory.Pod settings = new PodDirectory.Pod(null, null, null, false, null,
                new IdMapping(0, 400_000, 1_000));
        PodDirectory p = new PodDirectory("1234", pod, List.of(web), Map.of(), settings);
        check("userns-host-infra", infra(p));
        check("userns-host-app", config(p, web, "app-web", web.exec(), 0, false));
    }

    /** An interactive app whose user switched the protections off. */
    @Test
    public void anInteractiveAppWithoutProtections() throws IOException {
        SecurityPolicy policy = SecurityPolicy.UNCONFINED.withProtectionOff(Protection.PATHS)
                .withProtectionOff(Protection.CAPABILITIES).withProtectionOff(Protection.SECCOMP);
        PodDirectory.App sh = app("sh", policy, new Resources(1L << 30, null, null, 200), null, false, null, null);
        PodDirectory.Pod settings = new PodDirectory.Pod(null, Path.of("/run/netns/bosun-1234"), null, true, null, null);
        PodDirectory p = new PodDirectory("1234", pod, List.of(sh), Map.of(), settings);
        check("interactive-unprotected", config(p, sh, "app-sh", sh.exec(), 0, true));
    }

    private static void check(String name, String json) throws IOException {
        String resource = "golden/" + name + ".json";
        try (InputStream in = ContainerSpecGoldenTest.class.getResourceAsStream(resource)) {
            String expected = in == null ? "(no " + resource + ")" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(name, expected, json);
        }
    }
}
