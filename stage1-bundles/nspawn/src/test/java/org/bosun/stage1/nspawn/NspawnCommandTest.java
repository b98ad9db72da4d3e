package org.bosun.stage1.nspawn;

import static org.junit.Assert.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.bosun.api.security.IdMapping;
import org.bosun.api.security.Protection;
import org.bosun.api.security.SecurityPolicy;
import org.bosun.api.security.SelinuxLabels;
import org.bosun.api.stage1.EngineCommand;
import org.bosun.api.stage1.PodDirectory;
import org.junit.Test;

/**
 * The systemd-nspawn command of representative pods on a hybrid host, exactly as the engine built
 * it before the command became a built list (the files under golden/ were written by the
 * positional edits, {@code indexOf("--kill-signal=...") + 1} and the like).
 */
public class NspawnCommandTest {
    static final String UUID = PodUnitsTest.UUID;
    static final Path POD = Path.of("/var/lib/bosun/pods/run", UUID);
    static final PodCgroup HYBRID = new PodCgroup(Path.of("/sys/fs/cgroup/unified"), true);

    static PodDirectory.App app(String name, SecurityPolicy policy, List<PodDirectory.Mount> mounts, boolean overlay) {
        Path rootfs = POD.resolve("apps").resolve(name).resolve("rootfs");
        return new PodDirectory.App(name, rootfs, List.of("/bin/sh"), new LinkedHashMap<>(), 0, 0, "/", null, mounts,
                false, null, policy, overlay ? List.of(Path.of("/var/lib/bosun/tree/a"), Path.of("/var/lib/bosun/tree/b"))
                        : null, overlay ? rootfs.resolveSibling("upper") : null,
                overlay ? rootfs.resolveSibling("work") : null, null);
    }

    static String command(PodDirectory pod) {
        EngineCommand c = NspawnEngine.command(pod, HYBRID);
        return String.join("\n", c.argv()) + "\n--- env\n" + String.join("\n", c.environment()) + "\n";
    }

    @Test
    public void aPlainPodOnTheHostsNetwork() throws IOException {
        PodDirectory pod = new PodDirectory(UUID, POD, List.of(app("web", SecurityPolicy.UNCONFINED, null, false)), Map.of());
        check("plain", command(pod));
    }

    @Test
    public void aPodWithEverySettingOfItsOwn() throws IOException {
        SecurityPolicy policy = new SecurityPolicy(Set.of("CAP_CHOWN", "CAP_KILL", "CAP_NET_ADMIN"), true, null,
                List.of(), List.of(), List.of(), new SelinuxLabels("system_u:system_r:container_t:s0:c1,c2",
                        "system_u:object_r:container_file_t:s0:c1,c2"), Set.of(), false);
        List<PodDirectory.Mount> mounts = List.of(new PodDirectory.Mount("data", Path.of("/srv/a:b"), "/data", false, true),
                new PodDirectory.Mount("conf", POD.resolve("volumes/conf"), "/etc/conf", true, false));
        PodDirectory.Pod settings = new PodDirectory.Pod("pod1", Path.of("/run/netns/bosun-1"), POD.resolve("etc"), true,
                null, null);
        PodDirectory pod = new PodDirectory(UUID, POD, List.of(app("sh", policy, mounts, true)), Map.of(), settings);
        check("every-setting", command(pod));
    }

    @Test
    public void aPodWithAUserNamespaceJoinsItsNetworkFirst() throws IOException {
        SecurityPolicy off = SecurityPolicy.UNCONFINED.withProtectionOff(Protection.SECCOMP);
        PodDirectory.Pod settings = new PodDirectory.Pod(null, Path.of("/run/netns/bosun-2"), POD.resolve("etc"), false,
                null, new IdMapping(0, 300_000, 65_536));
        PodDirectory pod = new PodDirectory(UUID, POD, List.of(app("web", off, null, false), app("db", off, null, true)),
                Map.of(), settings);
        check("user-namespace", command(pod));
    }

    @Test
    public void aPodWithSeveralAppsAndVolumes() throws IOException {
        List<PodDirectory.Mount> ro = List.of(new PodDirectory.Mount("logs", Path.of("/var/log/app"), "/logs", true, true));
        List<PodDirectory.Mount> rw = List.of(new PodDirectory.Mount("data", Path.of("/srv/data"), "/d", false, false),
                new PodDirectory.Mount("logs", Path.of("/var/log/app"), "/l", false, true));
        PodDirectory.Pod settings = new PodDirectory.Pod(null, Path.of("/run/netns/bosun-3"), null, false, null, null);
        PodDirectory pod = new PodDirectory(UUID, POD, List.of(app("a", SecurityPolicy.UNCONFINED.withCapabilities(
                Set.of("CAP_SYS_ADMIN", "CAP_NET_RAW")), ro, true), app("b", SecurityPolicy.UNCONFINED, rw, false)), Map.of(), settings);
        check("several-apps", command(pod));
    }

    private static void check(String name, String command) throws IOException {
        String resource = "golden/" + name + ".txt";
        try (InputStream in = NspawnCommandTest.class.getResourceAsStream(resource)) {
            String expected = in == null ? "(no " + resource + ")" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(name, expected, command);
        }
    }
}
