package org.bosun.stage1.oci;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import org.bosun.api.BosunException;
import org.bosun.api.ErrorKind;
import org.bosun.api.app.ResourceUpdate;
import org.junit.Test;

public class ResourceUpdatesTest {
    @Test
    public void theResourcesObjectHoldsOnlyWhatTheUpdateGives() {
        assertEquals("{\"memory\":{\"limit\":268435456},\"cpu\":{\"shares\":512,\"quota\":50000,\"period\":100000,"
                + "\"cpus\":\"0-1\"}}", ResourceUpdates.json("app a", new ResourceUpdate(512L, 50_000L, 100_000L, "0-1",
                        null, 268_435_456L)).toString());
        assertEquals("{}", ResourceUpdates.json("app a", ResourceUpdate.NONE).toString());
    }

    @Test
    public void valuesTheKernelWouldRefuseAreRefusedByName() {
        BosunException e = assertThrows(BosunException.class, () -> ResourceUpdates.json("app a",
                new ResourceUpdate(null, 10L, null, null, null, null)));
        assertEquals(ErrorKind.INVALID_ARGUMENT, e.kind());
        assertTrue(e.getMessage(), e.getMessage().contains("cpu quota 10"));
        assertThrows(BosunException.class, () -> ResourceUpdates.json("app a",
                new ResourceUpdate(null, null, null, "0-1;reboot", null, null)));
        assertThrows(BosunException.class, () -> ResourceUpdates.json("app a",
                new ResourceUpdate(1L, null, null, null, null, null)));
    }
}
