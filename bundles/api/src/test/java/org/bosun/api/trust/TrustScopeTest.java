package org.bosun.api.trust;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import org.bosun.api.BosunException;
import org.bosun.api.ErrorKind;
import org.junit.Test;

/** Which image names a trusted key covers. */
public class TrustScopeTest {

    @Test
    public void aPrefixCoversItsNameAndTheNamesBelowItSegmentBySegment() {
        TrustScope app = TrustScope.prefix("example.com/app");
        assertTrue(app.covers("example.com/app"));
        assertTrue(app.covers("example.com/app/worker"));
        assertFalse(app.covers("example.com/apple"));
        assertFalse(app.covers("example.com/ap"));
        assertFalse(app.covers("example.com"));
        assertFalse(app.covers("other.com/example.com/app"));
    }

    @Test
    public void rootCoversEveryName() {
        assertTrue(TrustScope.root().covers("example.com/app"));
        assertTrue(TrustScope.root().isRoot());
        assertEquals("root", TrustScope.root().toString());
    }

    @Test
    public void aTrailingSlashIsIgnored() {
        assertEquals(TrustScope.prefix("example.com/app"), TrustScope.prefix("example.com/app/"));
        assertEquals("prefix example.com/app", TrustScope.prefix("example.com/app/").toString());
    }

    @Test
    public void prefixesThatAreNoImageNamesOrUnsafePathsAreRefused() {
        for (String bad : new String[] {"", "/", "../etc", "example.com/../x", "/abs", "Example.com", "a//b", "a/./b",
                "a b", "a/.hidden"}) {
            BosunException e = assertThrows(bad, BosunException.class, () -> TrustScope.prefix(bad));
            assertEquals(ErrorKind.INVALID_ARGUMENT, e.kind());
        }
        assertEquals("127.0.0.1:5000/test", TrustScope.prefix("127.0.0.1:5000/test").prefix());
    }
}
