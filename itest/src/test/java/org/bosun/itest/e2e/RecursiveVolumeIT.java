package org.bosun.itest.e2e;

import static org.junit.Assert.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.ClassRule;
import org.junit.Test;

/**
 * A read-only recursive volume is read-only all the way down (issue 12, item 4): with a file system
 * mounted below the volume's host directory, an app can write neither at the volume's top nor below
 * that submount, on every engine that mounts volumes (fly mounts none), and nothing it tried appears
 * on the host. A writable recursive volume still is writable below its submounts.
 */
public class RecursiveVolumeIT extends E2eCase {
    @ClassRule
    public static final BosunFixture FIXTURE = new BosunFixture();

    static final List<List<String>> ENGINES = List.of(List.of("--stage1-name=oci", "--stage1-option=runtime=runc"),
            List.of("--stage1-name=oci", "--stage1-option=runtime=crun"), List.of("--stage1-name=nspawn"));
    static final String WRITE = "touch /v/top 2>/dev/null && echo top=written || echo top=refused; "
            + "touch /v/sub/below 2>/dev/null && echo below=written || echo below=refused";

    public RecursiveVolumeIT(Mode mode) {
        super(FIXTURE, mode);
    }

    @Test
    public void everySubmountOfAReadOnlyRecursiveVolumeIsReadOnlyOnEveryEngine() throws Exception {
        Path dir = Files.createDirectories(work.resolve("volume/sub"));
        SecurityIT.exec(work, "mount", "-t", "tmpfs", "-o", "size=1m", "bosun-e2e-submount", dir.toString());
        try {
            for (List<String> engine : ENGINES) {
                BosunResult ro = write(engine, dir.getParent(), true);
                assertEquals(engine + ": " + ro.describe(), "top=refused\nbelow=refused\n", ro.stdout);
                assertEquals(engine + ": nothing reached the host", List.of(), E2e.entries(dir));
                assertEquals(engine + ": nothing reached the host", List.of("sub"), E2e.entries(dir.getParent()));
            }
            // the same volume writable: the write below the submount reaches the host, so the test can see one
            BosunResult rw = write(ENGINES.get(0), dir.getParent(), false);
            assertEquals(rw.describe(), "top=written\nbelow=written\n", rw.stdout);
            assertEquals(List.of("below"), E2e.entries(dir));
        } finally {
            SecurityIT.exec(work, "umount", dir.toString());
        }
    }

    private BosunResult write(List<String> engine, Path source, boolean readOnly) throws Exception {
        List<String> args = new ArrayList<>(List.of("run", INSECURE));
        args.addAll(engine);
        args.addAll(List.of("--net=none", "--volume=v,kind=host,source=" + source + ",readOnly=" + readOnly
                + ",recursive=true", aci(), "--mount", "volume=v,target=/v", "--exec", "/bin/sh", "--", "-c", WRITE));
        BosunResult r = bosun(args.toArray(String[]::new));
        assertExit(0, r);
        return r;
    }
}
