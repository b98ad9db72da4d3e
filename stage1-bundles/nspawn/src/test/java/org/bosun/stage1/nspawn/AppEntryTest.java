package org.bosun.stage1.nspawn;

import static org.junit.Assert.assertEquals;

import org.bosun.api.security.IdMapping;
import org.junit.Test;

public class AppEntryTest {
    @Test
    public void theAppsGroupsAreGivenAsItsUserNamespaceNumbersThem() {
        assertEquals("65534,5", AppEntry.groups("65534 5 ", null));
        assertEquals("", AppEntry.groups("", null));
        assertEquals("65534,0", AppEntry.groups("492961790 492896256", new IdMapping(0, 492896256L, 65536)));
    }
}
