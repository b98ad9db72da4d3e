package org.bosun.apiservice;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.bosun.api.event.BosunEvent;
import org.bosun.api.image.ImageManifest;
import org.bosun.api.image.StoredImage;
import org.bosun.api.net.NetworkAttachment;
import org.bosun.api.pod.AppInfo;
import org.bosun.api.pod.AppState;
import org.bosun.api.pod.PodInfo;
import org.bosun.apiservice.v1alpha.Event;
import org.bosun.apiservice.v1alpha.EventFilter;
import org.bosun.apiservice.v1alpha.EventType;
import org.bosun.apiservice.v1alpha.ImageFilter;
import org.bosun.apiservice.v1alpha.ImageType;
import org.bosun.apiservice.v1alpha.KeyValue;
import org.bosun.apiservice.v1alpha.Network;
import org.bosun.apiservice.v1alpha.PodFilter;
import org.bosun.apiservice.v1alpha.PodState;
import org.junit.Test;

public class MappingTest {
    private static final String UUID = "0a74adc7-fa3b-4f29-b7cc-81f1137b1707";

    private static PodInfo pod(org.bosun.api.pod.PodState state) {
        AppInfo app = new AppInfo("talk", "example.com/busybox", "sha512-abc", List.of("/bin/sh"), null,
                AppState.RUNNING, Instant.EPOCH, Map.of(), Map.of());
        return new PodInfo(UUID, state, List.of(app), Instant.EPOCH, Instant.EPOCH, 42, null,
                Map.of("team", "a"), Path.of("/tmp/x"), List.of(new NetworkAttachment("default", "eth0",
                        "172.16.28.42/24", "172.16.28.1")), null, Map.of(), Map.of());
    }

    private static StoredImage image(String name) {
        ImageManifest m = new ImageManifest("example.com/busybox", Map.of("version", "1.0", "os", "linux"), List.of(),
                "0", "0", "/", Map.of(), Map.of("note", "x"));
        return new StoredImage("sha512-abcdef", name, "appc", List.of(), m, List.of(), List.of(), Map.of(),
                Instant.ofEpochSecond(1000), null, 10);
    }

    @Test
    public void podStatesAreRktsAndGcMarkedOnesAreGarbage() {
        assertEquals(PodState.POD_STATE_RUNNING, PublicApi.state(org.bosun.api.pod.PodState.RUNNING));
        assertEquals(PodState.POD_STATE_ABORTED_PREPARE, PublicApi.state(org.bosun.api.pod.PodState.ABORTED_PREPARE));
        assertEquals(PodState.POD_STATE_GARBAGE, PublicApi.state(org.bosun.api.pod.PodState.EXITED_GARBAGE));
        for (org.bosun.api.pod.PodState s : org.bosun.api.pod.PodState.values()) {
            assertFalse(s.name(), PublicApi.state(s) == PodState.POD_STATE_UNDEFINED);
        }
    }

    @Test
    public void podFiltersAlternativesAndRequirements() {
        PodInfo p = pod(org.bosun.api.pod.PodState.RUNNING);
        assertTrue(PodFilters.matches(PodFilter.newBuilder().addIds("nope").addIds("0a74").build(), p));
        assertFalse(PodFilters.matches(PodFilter.newBuilder().addStates(PodState.POD_STATE_EXITED).build(), p));
        assertTrue(PodFilters.matches(PodFilter.newBuilder().addAppNames("talk").addImageIds("sha512-a")
                .addNetworkNames("default").addAnnotations(KeyValue.newBuilder().setKey("team").setValue("a")).build(), p));
        assertFalse(PodFilters.matches(PodFilter.newBuilder().addAppNames("talk").addAppNames("other").build(), p));
        assertFalse(PodFilters.matches(PodFilter.newBuilder().addAnnotations(KeyValue.newBuilder().setKey("team")
                .setValue("b")).build(), p));
    }

    @Test
    public void aNetworkAddressLosesItsPrefix() {
        Network n = PublicApi.network(new NetworkAttachment("default", "eth0", "172.16.28.42/24", null));
        assertEquals("172.16.28.42", n.getIpv4());
        assertEquals("fd00::2", PublicApi.network(new NetworkAttachment("v6", "eth1", "fd00::2/64", null)).getIpv6());
    }

    @Test
    public void imageFiltersByNameLabelAndTime() {
        StoredImage s = image("example.com/busybox:1.0");
        assertEquals("example.com/busybox", ImageFilters.baseName(s));
        assertEquals("1.0", ImageFilters.version(s));
        assertTrue(ImageFilters.matches(ImageFilter.newBuilder().addBaseNames("busybox").build(), s));
        assertFalse(ImageFilters.matches(ImageFilter.newBuilder().addBaseNames("box").build(), s));
        assertTrue(ImageFilters.matches(ImageFilter.newBuilder().addKeywords("box").build(), s));
        assertTrue(ImageFilters.matches(ImageFilter.newBuilder().addPrefixes("example.com/").build(), s));
        assertTrue(ImageFilters.matches(ImageFilter.newBuilder().addFullNames("example.com/busybox:1.0").build(), s));
        assertTrue(ImageFilters.matches(ImageFilter.newBuilder().addLabels(KeyValue.newBuilder().setKey("os")
                .setValue("linux")).addAnnotations(KeyValue.newBuilder().setKey("note").setValue("x")).build(), s));
        assertFalse(ImageFilters.matches(ImageFilter.newBuilder().setImportedAfter(1000).build(), s));
        assertTrue(ImageFilters.matches(ImageFilter.newBuilder().setImportedAfter(999).setImportedBefore(1001).build(), s));
        assertTrue(ImageFilters.matches(ImageFilter.newBuilder().addIds("sha512-abc").build(), s));
        assertEquals(ImageType.IMAGE_TYPE_APPC, PublicApi.type("appc"));
        assertEquals(ImageType.IMAGE_TYPE_DOCKER, PublicApi.type("docker"));
        assertEquals(ImageType.IMAGE_TYPE_OCI, PublicApi.type("oci"));
    }

    @Test
    public void eventsAsRktsWithTheirFilter() {
        BosunEvent exited = new BosunEvent(org.bosun.api.event.EventType.APP_EXITED, Instant.ofEpochSecond(5), "/d",
                UUID, "talk", null, Map.of(BosunEvent.EXIT_CODE, "3"));
        Event e = EventMapping.map(exited);
        assertEquals(EventType.EVENT_TYPE_APP_EXITED, e.getType());
        assertEquals(UUID, e.getId());
        assertEquals("talk", e.getFrom());
        assertEquals(5, e.getTime());
        assertEquals("3", e.getData(0).getValue());
        Event image = EventMapping.map(new BosunEvent(org.bosun.api.event.EventType.IMAGE_FETCHED, Instant.EPOCH, "/d",
                null, null, "sha512-1", Map.of(BosunEvent.IMAGE_NAME, "example.com/busybox")));
        assertEquals("sha512-1", image.getId());
        assertEquals("example.com/busybox", image.getFrom());
        assertNull(EventMapping.map(new BosunEvent(org.bosun.api.event.EventType.APP_ADDED, Instant.EPOCH, "/d", UUID,
                "talk", null, null)));
        assertTrue(EventMapping.matches(EventFilter.newBuilder().addTypes(EventType.EVENT_TYPE_APP_EXITED)
                .addNames("talk").addIds(UUID).setSinceTime(5).build(), e));
        assertFalse(EventMapping.matches(EventFilter.newBuilder().addTypes(EventType.EVENT_TYPE_POD_EXITED).build(), e));
        assertFalse(EventMapping.matches(EventFilter.newBuilder().setSinceTime(6).build(), e));
    }
}
