package org.bosun.host;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.util.List;
import java.util.Set;

import org.junit.Test;

public class HostCapabilitiesTest {
    @Test
    public void aBoundingSetMaskNamesItsCapabilities() {
        // 0x1fffeffffff: every capability up to CAP_CHECKPOINT_RESTORE (40) but CAP_SYS_RESOURCE (24)
        Set<String> host = HostCapabilities.fromMask(0x1fffeffffffL);
        assertEquals(40, host.size());
        assertFalse(host.contains("CAP_SYS_RESOURCE"));
        assertTrue(host.contains("CAP_CHECKPOINT_RESTORE"));
        assertEquals(Set.of("CAP_CHOWN", "CAP_KILL"), HostCapabilities.fromMask(0b100001));
    }

    @Test
    public void capabilitiesTheHostCannotGiveAreLeftOutSorted() {
        Set<String> host = Set.of("CAP_KILL", "CAP_CHOWN", "CAP_NET_RAW");
        assertEquals(List.of("CAP_CHOWN", "CAP_KILL"),
                HostCapabilities.within(List.of("CAP_KILL", "CAP_SYS_RESOURCE", "CAP_CHOWN"), host));
    }

    @Test
    public void thisProcessesBoundingSetIsReadable() {
        assertTrue(HostCapabilities.boundingSet().contains("CAP_CHOWN"));
    }
}
