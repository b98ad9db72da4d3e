package org.bosun.image.docker;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;

import org.bosun.api.BosunException;
import org.bosun.api.ErrorKind;
import org.junit.Test;

/** What a registry answers, read as untrusted input: a value, or one refusal (no unchecked exception). */
public class RegistryAnswersTest {
    private static final URI FROM = URI.create("https://registry.example.com/v2/library/busybox/blobs/sha256:00");

    @Test
    public void aBearerChallengeLeadsToItsTokenServiceWithTheScope() {
        URI token = RegistryAnswers.tokenUri(Challenge.parse("Bearer realm=\"https://auth.example.com/token?a=1\","
                + "service=\"registry.example.com\""), "library/busybox", "registry.example.com");
        assertEquals("https://auth.example.com/token?a=1&service=registry.example.com"
                + "&scope=repository%3Alibrary%2Fbusybox%3Apull", token.toString());
    }

    @Test
    public void aRealmThatIsNoHttpUrlIsRefusedInOneLine() {
        // URI.create threw IllegalArgumentException for the first: an internal error with a stack trace.
        for (String realm : new String[] {"https://auth example.com/token", "file:///etc/passwd", "/token", "https://"}) {
            BosunException e = assertThrows(BosunException.class, () -> RegistryAnswers.tokenUri(
                    Challenge.parse("Bearer realm=\"" + realm + "\""), "library/busybox", "registry.example.com"));
            assertEquals(ErrorKind.UNAVAILABLE, e.kind());
            assertTrue(e.getMessage(), e.getMessage().startsWith("registry.example.com names the token service with"));
        }
    }

    @Test
    public void aRedirectIsResolvedAndOneWithoutHostOrMalformedIsRefused() {
        assertEquals(URI.create("https://registry.example.com/v2/other"), RegistryAnswers.redirect(FROM, "/v2/other", "r"));
        assertEquals(URI.create("https://blobs.example.com/x?sig=1"),
                RegistryAnswers.redirect(FROM, "https://blobs.example.com/x?sig=1", "r"));
        // The first threw NullPointerException (no authority to compare), the second IllegalArgumentException.
        for (String location : new String[] {"mailto:someone@example.com", "https://blobs example.com/x", "ftp://x/y"}) {
            BosunException e = assertThrows(BosunException.class, () -> RegistryAnswers.redirect(FROM, location, "r"));
            assertEquals(location, ErrorKind.UNAVAILABLE, e.kind());
        }
    }

    @Test
    public void aTokenIsTakenOnlyWithoutControlCharacters() throws IOException {
        assertEquals("abc.def", RegistryAnswers.token(bytes("{\"token\":\"abc.def\"}")));
        assertEquals("xyz", RegistryAnswers.token(bytes("{\"access_token\":\"xyz\"}")));
        assertNull("it would forge a header line", RegistryAnswers.token(bytes("{\"token\":\"a\\r\\nX-Evil: 1\"}")));
        assertNull(RegistryAnswers.token(bytes("{}")));
    }

    @Test
    public void anErrorIsOneLineOrNothing() {
        assertEquals("UNAUTHORIZED authentication required", RegistryAnswers.error(
                "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"authentication\\nrequired\"}]}"));
        assertEquals("", RegistryAnswers.error("<html>\nnot json</html>"));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
