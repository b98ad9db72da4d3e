package org.bosun.core;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import org.bosun.api.BosunException;
import org.bosun.api.ErrorKind;
import org.bosun.api.pod.PodOptions;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** {@code --sysctl}: namespaced keys only, none of a namespace the pod shares with the host, each one the kernel has. */
public class PodSysctlsTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private Path procSys() throws IOException {
        Path sys = tmp.getRoot().toPath();
        for (String key : new String[] {"net.ipv4.ip_unprivileged_port_start", "net.core.somaxconn", "kernel.shmmax",
                "kernel.sem", "kernel.msgmax", "fs.mqueue.msg_max", "kernel.hostname", "vm.swappiness"}) {
            Path f = sys.resolve(key.replace('.', '/'));
            Files.createDirectories(f.getParent());
            Files.writeString(f, "0\n");
        }
        return sys;
    }

    private void check(boolean hostNetwork, String ipc, String... keyValues) throws IOException {
        Map<String, String> sysctls = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            sysctls.put(keyValues[i], keyValues[i + 1]);
        }
        PodSysctls.check("oci", true, hostNetwork, PodOptions.DEFAULTS.withIpc(ipc).withSysctls(sysctls), procSys());
    }

    private BosunException refused(boolean hostNetwork, String ipc, String... keyValues) {
        return assertThrows(BosunException.class, () -> check(hostNetwork, ipc, keyValues));
    }

    @Test
    public void networkAndIpcSettingsOfThePodsOwnNamespacesAreAccepted() throws IOException {
        check(false, "private", "net.ipv4.ip_unprivileged_port_start", "0", "net.core.somaxconn", "1024",
                "kernel.shmmax", "68719476736", "kernel.sem", "250 32000 100 128", "kernel.msgmax", "8192",
                "fs.mqueue.msg_max", "20", "net.ipv4.conf.eth0.forwarding", "1");
        check(true, "private", "kernel.shmmax", "1");
        check(false, "parent", "net.core.somaxconn", "1");
        check(true, "parent");
    }

    @Test
    public void aHostSettingIsInvalidAndNamed() {
        for (String key : new String[] {"kernel.hostname", "vm.swappiness", "kernel.pid_max"}) {
            BosunException e = refused(false, "private", key, "1");
            assertEquals(ErrorKind.INVALID_ARGUMENT, e.kind());
            assertTrue(e.getMessage(), e.getMessage().startsWith("--sysctl " + key + "=1: " + key + " is not a setting"
                    + " of a namespace the pod has of its own"));
        }
    }

    @Test
    public void aSettingOfANamespaceSharedWithTheHostIsInvalid() {
        BosunException net = refused(true, "private", "net.core.somaxconn", "1024");
        assertEquals(ErrorKind.INVALID_ARGUMENT, net.kind());
        assertTrue(net.getMessage(), net.getMessage().contains("host's network"));
        BosunException ipc = refused(false, "parent", "kernel.shmmax", "1");
        assertEquals(ErrorKind.INVALID_ARGUMENT, ipc.kind());
        assertTrue(ipc.getMessage(), ipc.getMessage().contains("host's IPC namespace"));
        assertEquals(ErrorKind.INVALID_ARGUMENT, refused(false, "parent", "fs.mqueue.msg_max", "1").kind());
    }

    @Test
    public void badNamesValuesAndKeysTheKernelLacksAreInvalid() {
        for (String key : new String[] {"net..core", "net/core/somaxconn", "net.core.somaxconn/../../x", "NET.core.x",
                "", "net.core.somaxconn.", "net.core.so maxconn"}) {
            assertEquals(key, ErrorKind.INVALID_ARGUMENT, refused(false, "private", key, "1").kind());
        }
        for (String value : new String[] {"", "1\n2", " 1", "1\u0000", "x\r"}) {
            BosunException e = refused(false, "private", "net.core.somaxconn", value);
            assertEquals(ErrorKind.INVALID_ARGUMENT, e.kind());
            assertTrue(e.getMessage(), e.getMessage().contains("not one line of printable characters"));
        }
        BosunException missing = refused(false, "private", "net.core.no_such_thing", "1");
        assertTrue(missing.getMessage(), missing.getMessage().contains("this kernel has no sysctl net.core.no_such_thing"));
    }

    @Test
    public void anEngineWithoutNamespacesTakesNone() throws IOException {
        Path sys = procSys();
        BosunException e = assertThrows(BosunException.class, () -> PodSysctls.check("fly", false, true,
                PodOptions.DEFAULTS.withSysctls(Map.of("net.core.somaxconn", "1")), sys));
        assertEquals(ErrorKind.NOT_IMPLEMENTED, e.kind());
        assertTrue(e.getMessage(), e.getMessage().contains("'fly'"));
        PodSysctls.check("fly", false, true, PodOptions.DEFAULTS, sys);
    }
}
