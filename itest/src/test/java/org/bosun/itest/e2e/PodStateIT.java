package org.bosun.itest.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.ClassRule;
import org.junit.Test;

import com.fasterxml.jackson.databind.JsonNode;

/** DESIGN.md §2: concurrent commands never corrupt the pod store, and a killed command leaves what gc cleans. */
public class PodStateIT extends E2eCase {
    @ClassRule
    public static final BosunFixture FIXTURE = new BosunFixture();

    public PodStateIT(Mode mode) {
        super(FIXTURE, mode);
    }

    @Test
    public void concurrentPreparesGetDistinctPods() throws Exception {
        List<BosunProcess> prepares = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            prepares.add(startBosun("prepare", INSECURE, FLY, aci()));
        }
        Set<String> uuids = new HashSet<>();
        for (BosunProcess p : prepares) {
            p.closeStdin();
            BosunResult r = p.await(CALL_TIMEOUT);
            assertExit(0, r);
            assertEquals("prepare's stderr:\n" + r.describe(), "", r.stderr);
            uuids.add(uuidIn(r));
        }
        assertEquals("six prepares, six distinct pods: " + uuids, 6, uuids.size());
        JsonNode pods = list();
        assertEquals("listed: " + pods, uuids, new HashSet<>(names(pods)));
        assertEquals("listed: " + pods, List.of("prepared", "prepared", "prepared", "prepared", "prepared", "prepared"),
                states(pods));

        // A unique UUID prefix names its pod; a prefix that several pods share is refused in one line.
        String someUuid = uuids.iterator().next();
        BosunResult byPrefix = bosun("status", someUuid.substring(0, 8));
        assertExit(0, byPrefix);
        assertLine("state=prepared", byPrefix);
        String shared = sharedFirstCharacter(uuids);
        for (int i = 0; shared == null && i < 12; i++) {
            BosunResult more = bosun("prepare", INSECURE, FLY, aci());
            assertExit(0, more);
            uuids.add(uuidIn(more));
            shared = sharedFirstCharacter(uuids);
        }
        assertNotNull("no two pods share a first UUID character: " + uuids, shared);
        BosunResult ambiguous = bosun("status", shared);
        assertOneClearLine(ambiguous);
        assertContains("the refusal names the ambiguity", "ambiguous", ambiguous);

        BosunResult gc = bosun("gc", "--expire-prepared=0s", "--grace-period=0s");
        assertExit(0, gc);
        for (String uuid : uuids) {
            assertLine("Garbage collecting pod \"" + uuid + "\"", gc);
        }
        assertNoPods();
    }

    /**
     * A {@code bosun prepare} killed with SIGKILL while its pod is in {@code pods/prepare/} leaves an
     * "aborted prepare" that gc removes; never a half-written pod that looks prepared.
     */
    @Test
    public void aKilledPrepareIsCleanedByGc() throws Exception {
        Path large = fixture.largeAci();
        BosunProcess prepare = startBosun("prepare", INSECURE, FLY, large.toString());
        prepare.closeStdin();
        Path preparing = data.resolve("pods/prepare");
        boolean caught = eventually(CALL_TIMEOUT, Duration.ofMillis(2),
                () -> !E2e.entries(preparing).isEmpty() || !prepare.isAlive());
        if (!caught || !prepare.isAlive()) {
            fail("the prepare was never seen in pods/prepare/ while it ran:\n" + prepare.snapshot());
        }
        String uuid = E2e.entries(preparing).get(0);
        prepare.killTree();
        BosunResult killed = prepare.await(Duration.ofSeconds(10));
        assertEquals("killed by SIGKILL:\n" + killed.describe(), 128 + 9, killed.exitCode);

        // In agent mode the work happens in the agent: give it time to notice.
        Map<String, String> seen = new LinkedHashMap<>();
        eventually(Duration.ofSeconds(60), Duration.ofMillis(250), () -> {
            JsonNode pods = list();
            seen.clear();
            pods.forEach(p -> seen.put(p.path("name").asText(), p.path("state").asText()));
            return !seen.containsValue("preparing") && !seen.containsValue("embryo");
        });
        for (Map.Entry<String, String> e : seen.entrySet()) {
            assertTrue("after `bosun prepare` was killed, pod " + e.getKey() + " is '" + e.getValue()
                            + "' (expected 'aborted prepare', or no pod); all pods: " + seen,
                    e.getValue().equals("aborted prepare"));
        }
        assertTrue("the killed pod " + uuid + " is listed as aborted prepare, or not at all: " + seen,
                !seen.containsKey(uuid) || seen.get(uuid).equals("aborted prepare"));

        BosunResult gc = bosun("gc", "--grace-period=0s");
        assertExit(0, gc);
        assertEquals("pods/prepare after gc", List.of(), E2e.entries(data.resolve("pods/prepare")));
        assertEquals("pods/embryo after gc", List.of(), E2e.entries(data.resolve("pods/embryo")));
        assertNoPods();
    }

    private static String sharedFirstCharacter(Set<String> uuids) {
        Set<Character> firsts = new HashSet<>();
        for (String u : uuids) {
            if (!firsts.add(u.charAt(0))) {
                return u.substring(0, 1);
            }
        }
        return null;
    }
}
