package org.bosun.itest.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.ClassRule;
import org.junit.Test;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * {@code bosun events} (issue 16): a {@code bosun events --format=json} running, through the agent
 * and in-process, sees what other bosun processes do to the data directory, in order, with their
 * pods' UUIDs and images' ids; what it saw is journaled and replayed with {@code --since}.
 */
public class EventsIT extends E2eCase {
    @ClassRule
    public static final BosunFixture FIXTURE = new BosunFixture();
    static final Duration EVENT_TIMEOUT = Duration.ofSeconds(30);

    public EventsIT(Mode mode) {
        super(FIXTURE, mode);
    }

    /** {@code bosun events --format=json --debug}, once it follows the data directory. */
    private BosunProcess following() throws Exception {
        BosunProcess events = startBosun("events", "--format=json", "--debug");
        events.awaitStderr("following the events of", Duration.ofSeconds(90));
        return events;
    }

    /** The next event lines until one of {@code type/status} is seen; all of them, in order, as "type/status". */
    private static List<JsonNode> until(BosunProcess events, String typeStatus) throws Exception {
        List<JsonNode> seen = new ArrayList<>();
        while (true) {
            JsonNode e = JSON.readTree(events.nextLine(EVENT_TIMEOUT));
            seen.add(e);
            if (name(e).equals(typeStatus)) {
                return seen;
            }
        }
    }

    private static String name(JsonNode e) {
        return e.path("type").asText() + "/" + e.path("status").asText();
    }

    private static List<String> names(List<JsonNode> events) {
        return events.stream().map(EventsIT::name).toList();
    }

    /** The pod and app events among {@code events} (an app add fetches its image first). */
    private static List<String> podNames(List<JsonNode> events) {
        return names(events).stream().filter(n -> !n.startsWith("image/")).toList();
    }

    @Test
    public void aRunGcFetchAndImageRmInOtherProcessesAreFollowedInOrder() throws Exception {
        BosunProcess events = following();
        try {
            BosunResult run = bosun("run", INSECURE, FLY, aci(), "--exec=/bin/true");
            assertExit(0, run);
            String uuid = bosunListUuid();
            List<JsonNode> seen = until(events, "pod/exited");
            assertEquals(seen.toString(), List.of("image/fetched", "pod/prepared", "pod/started", "app/started",
                    "app/exited", "pod/exited"), names(seen));
            String imageId = seen.get(0).path("image_id").asText();
            assertTrue(seen.toString(), imageId.startsWith("sha512-"));
            for (JsonNode e : seen.subList(1, seen.size())) {
                assertEquals(e.toString(), uuid, e.path("pod_uuid").asText());
                assertEquals(e.toString(), data.toString(), e.path("data_dir").asText());
            }
            assertEquals(seen.toString(), imageId, seen.get(4).path("image_id").asText());

            assertExit(0, bosun("gc", "--grace-period=0s"));
            List<JsonNode> gc = until(events, "pod/garbage_collected");
            assertEquals(gc.toString(), List.of("pod/garbage_collected"), names(gc));
            assertEquals(uuid, gc.get(0).path("pod_uuid").asText());

            assertExit(0, bosun("image", "rm", imageId));
            List<JsonNode> rm = until(events, "image/removed");
            assertEquals(rm.toString(), List.of("image/removed"), names(rm));
            assertEquals(imageId, rm.get(0).path("image_id").asText());

            assertExit(0, bosun("fetch", INSECURE, aci()));
            List<JsonNode> fetched = until(events, "image/fetched");
            assertEquals(fetched.toString(), List.of("image/fetched"), names(fetched));
            assertEquals(imageId, fetched.get(0).path("image_id").asText());

            // What the watch saw was journaled: --since replays it, an --until in the past ends there.
            BosunResult replay = bosun("events", "--since=10m", "--until=" + Instant.now().plusMillis(1), "--format=json");
            assertExit(0, replay);
            List<String> replayed = new ArrayList<>();
            for (String line : replay.stdout.split("\n")) {
                replayed.add(name(JSON.readTree(line)));
            }
            assertEquals(replay.describe(), List.of("image/fetched", "pod/prepared", "pod/started", "app/started",
                    "app/exited", "pod/exited", "pod/garbage_collected", "image/removed", "image/fetched"), replayed);
        } finally {
            events.killTree();
        }
    }

    @Test
    public void appLevelOperationsOnAnOciSandboxAreAppEvents() throws Exception {
        BosunProcess events = following();
        try {
            String uuid = uuidIn(bosun("app", "sandbox", "--stage1-name=oci", "--net=none"));
            List<JsonNode> sandbox = until(events, "pod/started");
            assertEquals(sandbox.toString(), "pod/started", name(sandbox.get(sandbox.size() - 1)));
            assertExit(0, bosun("app", "add", INSECURE, uuid, aci(), "--name=one", "--exec=/bin/sh", "--", "-c",
                    "trap 'exit 3' TERM; while :; do sleep 0.1; done"));
            assertEquals(List.of("app/added"), podNames(until(events, "app/added")));
            assertExit(0, bosun("app", "start", uuid, "--app=one"));
            assertEquals(List.of("app/started"), podNames(until(events, "app/started")));
            assertExit(0, bosun("app", "stop", uuid, "--app=one", "--timeout=5"));
            List<JsonNode> exited = until(events, "app/exited");
            assertEquals(List.of("app/exited"), podNames(exited));
            exited = exited.subList(exited.size() - 1, exited.size());
            assertEquals("one", exited.get(0).path("app_name").asText());
            assertEquals(uuid, exited.get(0).path("pod_uuid").asText());
            assertEquals("3", exited.get(0).path("exit_code").asText());
            assertExit(0, bosun("app", "rm", uuid, "--app=one"));
            assertEquals(List.of("app/removed"), podNames(until(events, "app/removed")));
            assertExit(0, bosun("stop", uuid));
            assertEquals(List.of("pod/exited"), podNames(until(events, "pod/exited")));
            assertExit(0, bosun("gc", "--grace-period=0s"));
            assertEquals(List.of("pod/garbage_collected"), podNames(until(events, "pod/garbage_collected")));
        } finally {
            events.killTree();
        }
    }

    private String bosunListUuid() throws Exception {
        JsonNode pods = list();
        assertEquals(pods.toString(), 1, pods.size());
        return pods.get(0).path("name").asText();
    }
}
