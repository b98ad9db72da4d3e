package org.bosun.api;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;

import org.junit.Test;

/** A message for the user stays one line, whatever untrusted text it quotes. */
public class BosunExceptionTest {
    @Test
    public void aLineBreakOrControlCharacterInWhatIsQuotedIsShownEscaped() {
        assertEquals("image reference 'a\\nfake: line' is malformed",
                BosunException.invalid("image reference 'a\nfake: line' is malformed").getMessage());
        assertEquals("x\\r\\t\\u001b[31m\\u2028y", BosunException.invalid("x\r\t\u001b[31m\u2028y").getMessage());
        assertEquals("wrapped\\n", new BosunException(ErrorKind.INTERNAL, "wrapped\n", new RuntimeException()).getMessage());
    }

    @Test
    public void aMessageOfPrintableTextIsKeptAsItIs() {
        String message = "image docker://x/y:1 is not signed; run with --insecure-options=image (ünïcode ok)";
        assertEquals(message, BosunException.invalid(message).getMessage());
        assertNull(BosunException.invalid(null).getMessage());
    }
}
