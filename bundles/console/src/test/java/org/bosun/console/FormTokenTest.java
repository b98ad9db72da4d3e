package org.bosun.console;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import org.junit.Test;

/** The Stop form's guard: the plugin's secret token, and no request that the browser says is cross-site. */
public class FormTokenTest {
    private final FormToken token = new FormToken();

    @Test
    public void theFormsOwnPostCounts() {
        assertNull(token.refusal(token.value(), "http://127.0.0.1:15442", "same-origin", "http", "127.0.0.1:15442"));
        assertNull("a browser that sends neither header", token.refusal(token.value(), null, null, "http", "127.0.0.1:15442"));
    }

    @Test
    public void aMissingOrWrongTokenIsRefused() {
        assertTrue(token.refusal(null, null, null, "http", "h").contains("token is missing or stale"));
        assertTrue(token.refusal(new FormToken().value(), null, null, "http", "h").contains("token is missing or stale"));
        assertNotEquals(token.value(), new FormToken().value());
        assertEquals(64, token.value().length());
    }

    @Test
    public void anotherSitesRequestIsRefusedEvenWithTheToken() {
        assertTrue(token.refusal(token.value(), "http://evil.example", null, "http", "127.0.0.1:15442")
                .contains("came from http://evil.example"));
        assertTrue(token.refusal(token.value(), null, "cross-site", "http", "127.0.0.1:15442").contains("another site"));
    }

    @Test
    public void htmlIsEscaped() {
        assertEquals("&lt;b a=&quot;1&quot;&gt;&amp;&#39;", Html.esc("<b a=\"1\">&'"));
    }
}
