package org.bosun.cni.executor;

import java.io.IOException;

import org.bosun.api.BosunException;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Anything a CNI plugin prints as its result: read into bosun's model and converted to each CNI
 * version, or refused in one line. Any other exception is a finding.
 */
class CniResultFuzzTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @FuzzTest
    void anyResultIsReadAndConvertedOrRefused(FuzzedDataProvider data) {
        String toVersion = data.pickValue(CniVersions.SUPPORTED.toArray(new String[0]));
        JsonNode result;
        try {
            result = JSON.readTree(data.consumeRemainingAsBytes());
        } catch (IOException notJson) {
            return; // the executor refuses output that is no JSON before it gets here
        }
        try {
            Results.parse(result, "plugin bridge");
            Results.parse(Results.convert(result, toVersion), "plugin bridge");
        } catch (BosunException refused) {
            if (refused.getMessage().contains("\n")) {
                throw new AssertionError("a refusal of more than one line: " + refused.getMessage());
            }
        }
    }
}
