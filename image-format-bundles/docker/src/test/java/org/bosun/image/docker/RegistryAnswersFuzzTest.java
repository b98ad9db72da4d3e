package org.bosun.image.docker;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;

import org.bosun.api.BosunException;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Anything a registry or its token service answers: a {@code WWW-Authenticate} challenge and the
 * token URL it leads to, a redirect's location, a token, an error body. Each gives a value (an
 * absolute http(s) URL; a token with no control character; an error on one line) or one refusal;
 * any other exception is a finding.
 */
class RegistryAnswersFuzzTest {
    private static final URI FROM = URI.create("https://registry.example.com/v2/library/busybox/blobs/sha256:00");

    @FuzzTest
    void anyAnswerGivesAValueOrOneRefusal(FuzzedDataProvider data) {
        String header = data.consumeString(400);
        String location = data.consumeString(200);
        byte[] body = data.consumeRemainingAsBytes();
        Challenge challenge = Challenge.parse(header);
        if (challenge != null && challenge.get("realm") != null) {
            try {
                assertHttp(RegistryAnswers.tokenUri(challenge, "library/busybox", "registry.example.com"));
            } catch (BosunException refused) {
                assertOneLine(refused.getMessage());
            }
        }
        try {
            assertHttp(RegistryAnswers.redirect(FROM, location, "registry.example.com"));
        } catch (BosunException refused) {
            assertOneLine(refused.getMessage());
        }
        try {
            String token = RegistryAnswers.token(body);
            if (token != null && !token.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
                throw new AssertionError("a token that would break its header: " + token);
            }
        } catch (IOException notJson) {
            // the token service's answer is no JSON: bosun says it cannot read the token
        }
        assertOneLine(RegistryAnswers.error(new String(body, StandardCharsets.UTF_8)));
    }

    private static void assertHttp(URI uri) {
        if (uri.getHost() == null || !(uri.getScheme().equalsIgnoreCase("https") || uri.getScheme().equalsIgnoreCase("http"))) {
            throw new AssertionError("not an http(s) URL with a host: " + uri);
        }
    }

    private static void assertOneLine(String text) {
        if (text.contains("\n") || text.contains("\r")) {
            throw new AssertionError("more than one line: " + text);
        }
    }
}
