package org.bosun.host;

import static org.junit.Assert.assertEquals;

import java.util.List;

import org.bosun.api.app.InterfaceUsage;
import org.junit.Test;

public class NetDevicesTest {
    @Test
    public void theLoopbackIsLeftOutAndBytesAndErrorsAreRead() {
        List<String> lines = List.of(
                "Inter-|   Receive                                                |  Transmit",
                " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed",
                "    lo:     120       2    0    0    0     0          0         0      120       2    0    0    0     0       0          0",
                "  eth0:     446       5    1    0    0     0          0         0      516       6    2    0    0     0       0          0");
        assertEquals(List.of(new InterfaceUsage("eth0", 446, 1, 516, 2)), NetDevices.parse(lines));
    }
}
