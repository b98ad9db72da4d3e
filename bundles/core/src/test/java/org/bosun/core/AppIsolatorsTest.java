package org.bosun.core;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.List;
import java.util.Map;

import org.bosun.api.BosunException;
import org.bosun.api.ErrorKind;
import org.bosun.api.image.ImageManifest;
import org.bosun.api.pod.Resources;
import org.junit.Test;

/** An image's resource isolators, as rkt applied them: wherever no flag sets the resource. */
public class AppIsolatorsTest {
    private static ImageManifest image(ImageManifest.Isolator... isolators) {
        return new ImageManifest("example.com/limited", Map.of(), List.of("/bin/true"), "0", "0", "/", Map.of(), Map.of(),
                null, null, null, null, List.of(isolators));
    }

    private static ImageManifest.Isolator isolator(String name, String value) {
        return new ImageManifest.Isolator(name, value);
    }

    @Test
    public void theImagesLimitsApplyWhenNoFlagSetsThem() {
        ImageManifest image = image(isolator("resource/memory", "{\"request\":\"10Mi\",\"limit\":\"25Mi\"}"),
                isolator("resource/cpu", "{\"limit\":\"1.5\"}"), isolator("os/linux/cpu-shares", "2048"),
                isolator("os/linux/oom-score-adj", "-100"),
                isolator("os/linux/capabilities-retain-set", "{\"set\":[\"CAP_CHOWN\"]}"));
        assertEquals(new Resources(25L << 20, 1500L, 2048L, -100), AppIsolators.withImages(Resources.NONE, image, "web"));
    }

    @Test
    public void aFlagWinsOverTheImage() {
        ImageManifest image = image(isolator("resource/memory", "{\"limit\":\"25Mi\"}"),
                isolator("resource/cpu", "{\"limit\":\"500m\"}"));
        assertEquals(new Resources(64L << 20, 500L, null, null),
                AppIsolators.withImages(new Resources(64L << 20, null, null, null), image, "web"));
    }

    @Test
    public void quantitiesInEveryFormAppcAllows() {
        for (Map.Entry<String, Long> e : Map.of("26214400", 26_214_400L, "1G", 1_000_000_000L, "1Gi", 1L << 30,
                "0.5Gi", 1L << 29, "5e7", 50_000_000L, "8M", 8_000_000L).entrySet()) {
            ImageManifest image = image(isolator("resource/memory", "{\"limit\":\"" + e.getKey() + "\"}"));
            assertEquals(e.getKey(), e.getValue(), AppIsolators.withImages(Resources.NONE, image, "web").memoryBytes());
        }
        ImageManifest requestOnly = image(isolator("resource/memory", "{\"request\":\"25Mi\"}"));
        assertEquals(Resources.NONE, AppIsolators.withImages(Resources.NONE, requestOnly, "web"));
    }

    @Test
    public void aBadValueIsRefusedNamingTheImageAndTheFlagThatOverridesIt() {
        BosunException e = assertThrows(BosunException.class, () -> AppIsolators.withImages(Resources.NONE,
                image(isolator("resource/memory", "{\"limit\":\"lots\"}")), "web"));
        assertEquals(ErrorKind.INVALID_ARGUMENT, e.kind());
        assertTrue(e.getMessage(), e.getMessage().contains("example.com/limited") && e.getMessage().contains("--memory"));
        e = assertThrows(BosunException.class, () -> AppIsolators.withImages(Resources.NONE,
                image(isolator("resource/memory", "{\"limit\":\"1Ki\"}")), "web"));
        assertTrue(e.getMessage(), e.getMessage().contains("4 MiB"));
    }
}
