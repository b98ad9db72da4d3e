package org.bosun.stage1.rules;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import java.util.List;

import org.junit.Test;

public class AllowedDevicesTest {
    /** The OCI runtimes' default: mknod of anything, open of the pseudo devices and terminals only. */
    @Test
    public void theDefaultIsTheOciDefaultList() {
        assertEquals(List.of("c *:* m", "b *:* m", "c 1:3 rwm", "c 1:5 rwm", "c 1:7 rwm", "c 1:8 rwm", "c 1:9 rwm",
                "c 5:0 rwm", "c 5:1 rwm", "c 5:2 rwm", "c 136:* rwm"),
                AllowedDevices.DEFAULT.stream().map(AllowedDevices.Rule::line).toList());
    }

    @Test
    public void aRuleIsACharacterOrBlockDeviceWithSomeOfReadWriteMknod() {
        assertThrows(IllegalArgumentException.class, () -> new AllowedDevices.Rule('a', 1, 3, "rwm"));
        assertThrows(IllegalArgumentException.class, () -> new AllowedDevices.Rule('c', 1, 3, ""));
        assertThrows(IllegalArgumentException.class, () -> new AllowedDevices.Rule('c', 1, 3, "x"));
    }
}
