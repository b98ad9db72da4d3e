package org.bosun.image.appc;

import java.util.Map;

import org.bosun.api.BosunException;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Any page as a discovery server's answer to appc meta discovery: its {@code ac-discovery} and
 * {@code ac-discovery-pubkeys} tags give absolute URLs for an image and its keys, or the discovery
 * is refused in one line. Any other exception is a finding.
 */
class DiscoveryFuzzTest {
    private static final String[] NAMES = {"example.com/app", "example.com/app/sub", "example.com", "a.b/c-d_e~f"};

    @FuzzTest
    void anyPageGivesAbsoluteUrlsOrIsRefused(FuzzedDataProvider data) {
        String name = data.pickValue(NAMES);
        Map<String, String> labels = Map.of("version", data.consumeString(8), "os", "linux", "arch", "amd64");
        DiscoveryDocument page = DiscoveryDocument.parse(data.consumeRemainingAsString());
        try {
            for (Discovery.Endpoint endpoint : Discovery.endpoints(page, name, labels, "https://example.com/?ac-discovery=1")) {
                FuzzFindings.assertAbsolute(endpoint.aci());
                FuzzFindings.assertAbsolute(endpoint.signature());
            }
            Discovery.pubkeys(page, name).forEach(FuzzFindings::assertAbsolute);
        } catch (BosunException refused) {
            // a page that names no usable URL
        }
    }
}
