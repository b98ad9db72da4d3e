package org.bosun.core;

import static org.junit.Assert.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.bosun.api.pod.PodOptions;
import org.bosun.api.pod.PodOptions.DnsSettings;
import org.bosun.api.pod.PodOptions.NetworkChoice;
import org.bosun.api.pod.PodOptions.PortForward;
import org.bosun.api.pod.PodOptions.VolumeSpec;
import org.junit.Test;

public class PodOptionsFileTest {

    @Test
    public void aPodKeepsEveryOptionItWasPreparedWith() throws Exception {
        Path pod = Files.createTempDirectory("bosun-options-test");
        try {
            PodOptions options = new PodOptions("web", List.of(new NetworkChoice("default", Map.of("IP", "10.1.2.3"))),
                    List.of(new PortForward("http", "tcp", 80, null, 8080)),
                    new DnsSettings("explicit", List.of("1.1.1.1"), List.of("example.com"), List.of("ndots:2"), "d"),
                    List.of("10.0.0.1=db"), List.of(new VolumeSpec("data", "empty", null, false, true, "0755", 0, 0)),
                    Map.of("A", "1"), Map.of("HOME", "/root"), true, true, true, "update", Map.of("runtime", "crun"));
            PodFiles files = new PodFiles();
            files.writeJson(pod.resolve(PodFiles.OPTIONS), options);
            assertEquals(options, files.options(pod));
        } finally {
            Files.deleteIfExists(pod.resolve(PodFiles.OPTIONS));
            Files.delete(pod);
        }
    }

    @Test
    public void aPodPreparedBeforeOptionsWereRecordedHasTheDefaults() throws Exception {
        Path pod = Files.createTempDirectory("bosun-options-test");
        try {
            assertEquals(PodOptions.DEFAULTS, new PodFiles().options(pod));
        } finally {
            Files.delete(pod);
        }
    }
}
