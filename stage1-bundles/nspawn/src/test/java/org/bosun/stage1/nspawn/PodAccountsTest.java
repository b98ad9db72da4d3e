package org.bosun.stage1.nspawn;

import static org.junit.Assert.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.bosun.api.stage1.PodDirectory;
import org.junit.Test;

public class PodAccountsTest {
    static PodDirectory.App app(String name, int uid, int gid, List<Integer> groups) {
        Path pod = PodUnitsTest.POD;
        return new PodDirectory.App(name, pod.resolve("apps").resolve(name).resolve("rootfs"), List.of("/bin/db"),
                Map.of(), uid, gid, "/", groups, null, false, null, null, null, null, null, null);
    }

    @Test
    public void everyUserAndGroupTheUnitsNameIsListedOnceWithoutMembers() {
        PodDirectory pod = new PodDirectory(PodUnitsTest.UUID, PodUnitsTest.POD, List.of(app("a", 1000, 0, List.of(5, 7)),
                app("b", 0, 0, List.of()), app("c", 1000, 1001, List.of(7)), app("d", -2, 65534, List.of())), Map.of());
        assertEquals("root:x:0:0:root:/root:/usr/sbin/nologin\n"
                + "bosun-uid-1000:x:1000:0:bosun app user:/:/usr/sbin/nologin\n"
                + "bosun-uid-4294967294:x:4294967294:65534:bosun app user:/:/usr/sbin/nologin\n",
                PodAccounts.passwdFile(pod));
        assertEquals("root:x:0:\nbosun-gid-5:x:5:\nbosun-gid-7:x:7:\nbosun-gid-1001:x:1001:\nbosun-gid-65534:x:65534:\n",
                PodAccounts.groupFile(pod));
    }
}
