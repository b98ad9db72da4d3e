package org.bosun.image.appc;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.List;
import java.util.Map;

import org.bosun.api.BosunException;
import org.bosun.api.ErrorKind;
import org.junit.Test;

/** Filling ac-discovery templates and choosing the best ones, as the appc spec's "Image Discovery" says. */
public class DiscoveryTemplateTest {
    private static final Map<String, String> ALL = Map.of("version", "1.0.0", "os", "linux", "arch", "amd64");
    private static final List<String> SPEC_EXAMPLE = List.of(
            "https://storage.example.com/{os}/{arch}/{name}-{version}.{ext}",
            "https://mirror.storage.example.com/{os}/{arch}/{name}-{version}.{ext}",
            "https://storage.example.com/{os}/{arch}/{name}-latest.{ext}");

    @Test
    public void fillsNameExtAndLabels() {
        DiscoveryTemplate t = new DiscoveryTemplate(SPEC_EXAMPLE.get(0));
        assertEquals("https://storage.example.com/linux/amd64/example.com/reduce-worker-1.0.0.aci",
                t.fill("example.com/reduce-worker", ALL, "aci"));
        assertEquals("https://storage.example.com/linux/amd64/example.com/reduce-worker-1.0.0.aci.asc",
                t.fill("example.com/reduce-worker", ALL, "aci.asc"));
    }

    @Test
    public void theBestTemplatesFillTheMostLabels() {
        List<DiscoveryTemplate> best = DiscoveryTemplate.best(SPEC_EXAMPLE, ALL);
        assertEquals(List.of(SPEC_EXAMPLE.get(0), SPEC_EXAMPLE.get(1)), best.stream().map(Object::toString).toList());
    }

    @Test
    public void aTemplateWithAPlaceholderNoLabelFillsIsNeverChosen() {
        List<DiscoveryTemplate> best = DiscoveryTemplate.best(SPEC_EXAMPLE, Map.of("os", "linux", "arch", "amd64"));
        assertEquals(List.of(SPEC_EXAMPLE.get(2)), best.stream().map(Object::toString).toList());
        assertEquals(List.of(), DiscoveryTemplate.best(List.of("https://x/{name}-{flavour}.{ext}"), ALL));
    }

    @Test
    public void valuesAreSubstitutedLiterallyEvenWithRegexCharacters() {
        assertEquals("https://x/a$1\\b.aci", new DiscoveryTemplate("https://x/{version}.{ext}")
                .fill("n", Map.of("version", "a$1\\b"), "aci"));
    }

    @Test
    public void aNameWithATagAsksForThatVersionOnThisHostsPlatform() {
        AppcName name = AppcName.parse("example.com/app:v1");
        assertEquals("example.com/app", name.name());
        assertEquals("v1", name.labels().get("version"));
        assertEquals("linux", name.labels().get("os"));
        assertTrue(name.versionGiven());
    }

    @Test
    public void aNameWithoutATagAsksForLatestAndAcceptsAnyVersion() {
        AppcName name = AppcName.parse("example.com/app");
        assertEquals("latest", name.labels().get("version"));
        assertEquals(null, name.mismatch("example.com/app", Map.of("version", "3.1", "os", "linux")));
    }

    @Test
    public void labelsCanBeGivenAfterCommas() {
        AppcName name = AppcName.parse("example.com/app,version=2,channel=beta");
        assertEquals("2", name.labels().get("version"));
        assertEquals("beta", name.labels().get("channel"));
    }

    @Test
    public void theImageMustCarryTheNameAndTheLabelsAskedFor() {
        AppcName name = AppcName.parse("example.com/app:v1");
        assertEquals(null, name.mismatch("example.com/app", Map.of("version", "v1", "os", "linux", "arch", "amd64")));
        assertTrue(name.mismatch("example.com/app", Map.of("version", "v2")).contains("'v2'"));
        assertTrue(name.mismatch("example.com/evil", Map.of("version", "v1")).contains("example.com/evil"));
    }

    @Test
    public void refusesWhatIsNotAnAppcName() {
        BosunException e = assertThrows(BosunException.class, () -> AppcName.parse("Example.com/App"));
        assertEquals(ErrorKind.INVALID_ARGUMENT, e.kind());
        assertTrue(e.getMessage(), e.getMessage().contains("Example.com/App"));
    }

    @Test
    public void discoveryAsksTheNameThenEachParent() {
        assertEquals(List.of("example.com/project/sub", "example.com/project", "example.com"),
                Discovery.paths("example.com/project/sub"));
    }
}
