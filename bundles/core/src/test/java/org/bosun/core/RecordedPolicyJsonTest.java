package org.bosun.core;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import org.bosun.api.BosunException;
import org.bosun.api.security.IdMapping;
import org.bosun.api.security.Protection;
import org.bosun.api.security.SecurityPolicy;
import org.bosun.api.security.SelinuxLabels;
import org.bosun.host.files.FileTree;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/** Pods keep the {@code security.json} they were prepared with; its shapes are those written before the policy was typed. */
public class RecordedPolicyJsonTest {
    /** As a pod prepared with --private-users on SELinux, seccomp switched off, recorded it before. */
    private static final String RECORDED = "{\"capabilities\":[\"CAP_KILL\"],\"noNewPrivileges\":true,"
            + "\"seccompProfile\":null,\"maskedPaths\":[\"/proc/kcore\"],\"readonlyPaths\":[\"/proc/sys\"],"
            + "\"uidMappings\":[[0,524288,65536]],"
            + "\"selinuxLabels\":{\"process\":\"system_u:system_r:container_t:s0:c1,c2\","
            + "\"mount\":\"system_u:object_r:container_file_t:s0:c1,c2\"},"
            + "\"protectionsOff\":[\"paths\",\"seccomp\"]}";

    private final PodFiles files = new PodFiles();
    private Path dir;

    @Before
    public void setUp() throws Exception {
        dir = Files.createTempDirectory("bosun-policy-test");
    }

    @After
    public void tearDown() throws Exception {
        FileTree.delete(dir);
    }

    @Test
    public void aPolicyRecordedBeforeItWasTypedReadsAsTheTypedPolicy() throws Exception {
        Files.writeString(dir.resolve("security.json"), RECORDED);
        SecurityPolicy policy = files.read(dir.resolve("security.json"), SecurityPolicy.class);
        assertEquals(new SecurityPolicy(Set.of("CAP_KILL"), true, null, List.of("/proc/kcore"), List.of("/proc/sys"),
                List.of(new IdMapping(0, 524288, 65536)), new SelinuxLabels("system_u:system_r:container_t:s0:c1,c2",
                        "system_u:object_r:container_file_t:s0:c1,c2"), Set.of(Protection.PATHS, Protection.SECCOMP),
                false),
                policy);
    }

    @Test
    public void theTypedPolicyIsWrittenInTheSameShapes() throws Exception {
        Files.writeString(dir.resolve("old.json"), RECORDED);
        SecurityPolicy policy = files.read(dir.resolve("old.json"), SecurityPolicy.class);
        files.writeJson(dir.resolve("new.json"), policy);
        // the same shape, plus hostDevices, which a policy recorded before it existed reads as false
        com.fasterxml.jackson.databind.node.ObjectNode expected =
                (com.fasterxml.jackson.databind.node.ObjectNode) files.json().readTree(RECORDED);
        expected.put("hostDevices", false);
        assertEquals(expected, files.json().readTree(dir.resolve("new.json").toFile()));
        files.writeJson(dir.resolve("privileged.json"), policy.withHostDevices(true));
        assertTrue(files.read(dir.resolve("privileged.json"), SecurityPolicy.class).hostDevices());
    }

    @Test
    public void noLabelsAreAnEmptyObjectAsBefore() throws Exception {
        files.writeJson(dir.resolve("security.json"), SecurityPolicy.UNCONFINED);
        assertEquals("{}", files.json().readTree(dir.resolve("security.json").toFile()).path("selinuxLabels").toString());
        assertEquals(SecurityPolicy.UNCONFINED, files.read(dir.resolve("security.json"), SecurityPolicy.class));
    }

    @Test
    public void anUnknownProtectionIsAnErrorNamingTheFile() throws Exception {
        Files.writeString(dir.resolve("security.json"), RECORDED.replace("\"paths\"", "\"tpm\""));
        BosunException e = assertThrows(BosunException.class,
                () -> files.read(dir.resolve("security.json"), SecurityPolicy.class));
        assertTrue(e.getMessage(), e.getMessage().contains(dir.resolve("security.json").toString())
                && e.getMessage().contains("'tpm' is not a protection"));
    }
}
