package org.bosun.itest.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.bosun.apiservice.v1alpha.App;
import org.bosun.apiservice.v1alpha.AppState;
import org.bosun.apiservice.v1alpha.Event;
import org.bosun.apiservice.v1alpha.EventFilter;
import org.bosun.apiservice.v1alpha.EventType;
import org.bosun.apiservice.v1alpha.GetInfoRequest;
import org.bosun.apiservice.v1alpha.GetLogsRequest;
import org.bosun.apiservice.v1alpha.GetLogsResponse;
import org.bosun.apiservice.v1alpha.Image;
import org.bosun.apiservice.v1alpha.ImageFilter;
import org.bosun.apiservice.v1alpha.ImageType;
import org.bosun.apiservice.v1alpha.Info;
import org.bosun.apiservice.v1alpha.InspectImageRequest;
import org.bosun.apiservice.v1alpha.InspectPodRequest;
import org.bosun.apiservice.v1alpha.ListImagesRequest;
import org.bosun.apiservice.v1alpha.ListPodsRequest;
import org.bosun.apiservice.v1alpha.ListenEventsRequest;
import org.bosun.apiservice.v1alpha.ListenEventsResponse;
import org.bosun.apiservice.v1alpha.Pod;
import org.bosun.apiservice.v1alpha.PodFilter;
import org.bosun.apiservice.v1alpha.PodState;
import org.bosun.apiservice.v1alpha.PublicAPIGrpc;

import io.grpc.Context;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;

/**
 * What a Java client of rkt's API service (the gRPC stubs of the project's api.proto) checks, wherever
 * the service runs ({@link ApiServiceIT}: stand-alone as nobody; {@link AgentApiServiceIT}: inside an
 * agent): while the CLI, in other processes, makes an oci pod, starts its app and stops it, the pods
 * and images listed and filtered, the running pod inspected (apps, network, state), the events
 * streamed as they happen, the app's log followed, an unknown pod NOT_FOUND.
 */
abstract class ApiClientCase extends E2eCase {
    static final int NOBODY = 65534;
    static final Duration EVENT_TIMEOUT = Duration.ofSeconds(30);
    /** Each call's own deadline (a deadline set once on a stub would be one instant for all its calls). */
    static final Duration CALL_TIMEOUT = Duration.ofSeconds(20);
    /** A log followed until the pod's end, which the test causes and awaits meanwhile. */
    static final Duration FOLLOW_TIMEOUT = Duration.ofSeconds(90);

    ApiClientCase(BosunFixture fixture, Mode mode) {
        super(fixture, mode);
    }

    /**
     * Waits until the service, still alive, has made its socket, said {@code ready} on its stderr ({@code
     * log}; null: nothing to say) and accepts on its loopback port.
     */
    static void awaitListening(Process service, String name, Duration within, Path socket, int port, Path log,
            String ready) throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            if (!service.isAlive()) {
                throw new AssertionError(name + " exited with " + service.exitValue() + ":\n" + Files.readString(log));
            }
            if (Files.exists(socket) && (ready == null || Files.readString(log).contains(ready))) {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress("127.0.0.1", port), 500);
                    return;
                } catch (IOException e) {
                    // not yet
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError(name + " never served the API on " + socket + " and port " + port + " within "
                + within.toSeconds() + " s:\n" + Files.readString(log));
    }

    /**
     * {@link #onService} over a channel to the service's socket and one to its port, both shut down after;
     * a failure shows the service's stderr and, for a call past its deadline, the threads of both ends.
     */
    void onServiceAt(Path socket, int port, Process service, Path stdout, Path stderr) throws Exception {
        ManagedChannel unix = Grpc.newChannelBuilder("unix://" + socket, InsecureChannelCredentials.create()).build();
        ManagedChannel tcp = Grpc.newChannelBuilder("127.0.0.1:" + port, InsecureChannelCredentials.create()).build();
        try {
            PublicAPIGrpc.PublicAPIBlockingStub overUnix = PublicAPIGrpc.newBlockingStub(unix);
            PublicAPIGrpc.PublicAPIBlockingStub overTcp = PublicAPIGrpc.newBlockingStub(tcp);
            try {
                onService(() -> overUnix.withDeadlineAfter(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS),
                        () -> overTcp.withDeadlineAfter(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS),
                        overUnix, PublicAPIGrpc.newStub(unix));
            } catch (StatusRuntimeException | AssertionError e) {
                throw new AssertionError(e + "\n--- " + stderr.getFileName() + " ---\n" + Files.readString(stderr)
                        + (deadlineExceeded(e) ? threads(service, stdout) : ""), e);
            }
        } finally {
            for (ManagedChannel c : new ManagedChannel[] {unix, tcp}) {
                c.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }

    /**
     * {@code api} and {@code overTcp} give a stub with a deadline of its own for each call; {@code follow}
     * (no deadline) is given one for a follow that lasts. No call waits longer than its deadline.
     */
    void onService(Supplier<PublicAPIGrpc.PublicAPIBlockingStub> api,
            Supplier<PublicAPIGrpc.PublicAPIBlockingStub> overTcp, PublicAPIGrpc.PublicAPIBlockingStub follow,
            PublicAPIGrpc.PublicAPIStub async) throws Exception {
        Info info = overTcp.get().getInfo(GetInfoRequest.getDefaultInstance()).getInfo();
        assertEquals(data.toString(), info.getGlobalFlags().getDir());
        assertEquals("1.0.0", info.getApiVersion());
        assertEquals(List.of(), api.get().listPods(ListPodsRequest.getDefaultInstance()).getPodsList());

        Events all = new Events(async, EventFilter.getDefaultInstance());
        String uuid = uuidIn(bosun("app", "sandbox", OciEngineIT.OCI, OciEngineIT.runtime("runc")));
        Events exits = new Events(async, EventFilter.newBuilder().addTypes(EventType.EVENT_TYPE_POD_EXITED)
                .addIds(uuid).build());
        assertExit(0, bosun("app", "add", INSECURE, uuid, aci(), "--name=talk", "--exec=/bin/sh", "--", "-c",
                "i=0; while :; do echo line$i; i=$((i+1)); sleep 0.2; done"));
        assertExit(0, bosun("app", "start", uuid, "--app=talk"));
        Event started = all.until(EventType.EVENT_TYPE_APP_STARTED);
        assertEquals(uuid, started.getId());
        assertEquals("talk", started.getFrom());
        assertTrue(all.seen.toString(), all.seen.stream().anyMatch(e -> e.getType() == EventType.EVENT_TYPE_POD_STARTED
                && e.getId().equals(uuid)));

        // the pod as the CLI sees it: running, its app, its network
        Pod pod = api.get().inspectPod(InspectPodRequest.newBuilder().setId(uuid).build()).getPod();
        assertEquals(pod.toString(), PodState.POD_STATE_RUNNING, pod.getState());
        assertEquals(pod.toString(), List.of("talk"), pod.getAppsList().stream().map(App::getName).toList());
        App app = pod.getApps(0);
        assertEquals(pod.toString(), AppState.APP_STATE_RUNNING, app.getState());
        assertTrue(pod.toString(), app.getImage().getId().startsWith("sha512-"));
        assertFalse(pod.toString(), pod.getNetworksList().isEmpty());
        assertTrue(pod.toString(), pod.getNetworks(0).getIpv4().matches("\\d+\\.\\d+\\.\\d+\\.\\d+"));
        assertTrue(pod.toString(), pod.getManifest().toStringUtf8().contains("\"PodManifest\""));
        assertTrue(pod.toString(), pod.getCreatedAt() > 0 && pod.getStartedAt() >= pod.getCreatedAt());
        assertTrue(pod.toString(), pod.getPid() > 0);

        // list and filters
        assertEquals(List.of(uuid), ids(api, ListPodsRequest.getDefaultInstance()));
        assertEquals(List.of(uuid), ids(api, podFilter(PodFilter.newBuilder().addStates(PodState.POD_STATE_RUNNING))));
        assertEquals(List.of(), ids(api, podFilter(PodFilter.newBuilder().addStates(PodState.POD_STATE_EXITED))));
        assertEquals(List.of(uuid), ids(api, podFilter(PodFilter.newBuilder().addAppNames("talk")
                .addImageIds(app.getImage().getId()))));
        assertEquals(List.of(), ids(api, podFilter(PodFilter.newBuilder().addAppNames("talk").addAppNames("nope"))));
        assertEquals(List.of(uuid), ids(api, podFilter(PodFilter.newBuilder().addIds(uuid.substring(0, 8)))));
        assertEquals(List.of(uuid), ids(api, podFilter(PodFilter.newBuilder()
                .addNetworkNames(pod.getNetworks(0).getName()))));
        assertTrue(api.get().listPods(ListPodsRequest.getDefaultInstance()).getPods(0).getManifest().isEmpty());
        assertEquals(Status.Code.UNIMPLEMENTED, code(() -> api.get().listPods(podFilter(PodFilter.newBuilder()
                .addCgroups("/machine.slice")))));

        // images
        List<Image> images = api.get().listImages(ListImagesRequest.getDefaultInstance()).getImagesList();
        assertEquals(images.toString(), List.of(app.getImage().getId()), images.stream().map(Image::getId).toList());
        Image image = images.get(0);
        assertEquals(image.toString(), "example.com/busybox", image.getName());
        assertEquals(image.toString(), "1.0", image.getVersion());
        assertEquals(image.toString(), ImageType.IMAGE_TYPE_APPC, image.getBaseFormat().getType());
        assertTrue(image.toString(), image.getImportTimestamp() > 0);
        assertEquals(1, api.get().listImages(imageFilter(ImageFilter.newBuilder().addBaseNames("busybox")))
                .getImagesCount());
        assertEquals(1, api.get().listImages(imageFilter(ImageFilter.newBuilder().addPrefixes("example.com/")
                .addLabels(org.bosun.apiservice.v1alpha.KeyValue.newBuilder().setKey("os").setValue("linux"))))
                .getImagesCount());
        assertEquals(0, api.get().listImages(imageFilter(ImageFilter.newBuilder().addKeywords("etcd")))
                .getImagesCount());
        Image inspected = api.get().inspectImage(InspectImageRequest.newBuilder().setId(image.getId()).build())
                .getImage();
        assertTrue(inspected.toString(), inspected.getManifest().toStringUtf8().contains("\"ImageManifest\""));

        // unknown ids
        assertEquals(Status.Code.NOT_FOUND, code(() -> api.get().inspectPod(InspectPodRequest.newBuilder()
                .setId("00000000-0000-0000-0000-000000000000").build())));
        assertEquals(Status.Code.NOT_FOUND, code(() -> api.get().inspectImage(InspectImageRequest.newBuilder()
                .setId("sha512-00000000").build())));
        assertEquals(Status.Code.NOT_FOUND, code(() -> api.get().getLogs(GetLogsRequest.newBuilder()
                .setPodId("00000000-0000-0000-0000-000000000000").build()).hasNext()));

        // logs: the last lines, then followed as the app writes them
        assertTrue(eventually(Duration.ofSeconds(10), Duration.ofMillis(100), () -> lines(api.get().getLogs(
                GetLogsRequest.newBuilder().setPodId(uuid).build())).size() >= 3));
        List<String> last = lines(api.get().getLogs(GetLogsRequest.newBuilder().setPodId(uuid).setAppName("talk")
                .setLines(2).build()));
        assertEquals(last.toString(), 2, last.size());
        assertEquals(last.toString(), number(last.get(0)) + 1, number(last.get(1)));
        try (Context.CancellableContext followed = Context.current().withCancellation()) {
            List<String> got = followed.call(() -> {
                Iterator<GetLogsResponse> it = api.get().getLogs(GetLogsRequest.newBuilder().setPodId(uuid)
                        .setFollow(true).setLines(1).build());
                List<String> seen = new ArrayList<>();
                while (seen.size() < 4 && it.hasNext()) {
                    seen.addAll(it.next().getLinesList());
                }
                return seen;
            });
            assertTrue(got.toString(), got.size() >= 4);
            for (int i = 1; i < got.size(); i++) {
                assertEquals(got.toString(), number(got.get(i - 1)) + 1, number(got.get(i)));
            }
            assertTrue("lines written after the call were followed: " + got + " after " + last,
                    number(got.get(got.size() - 1)) > number(last.get(1)) + 1);
        }
        Iterator<GetLogsResponse> untilExit = follow.withDeadlineAfter(FOLLOW_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                .getLogs(GetLogsRequest.newBuilder().setPodId(uuid).setFollow(true).setLines(1).build());
        untilExit.next();

        // an app added to the pod while all its apps' logs are followed is followed too, from its first line
        try (Context.CancellableContext followed = Context.current().withCancellation()) {
            List<String> got = followed.call(() -> {
                Iterator<GetLogsResponse> it = follow.withDeadlineAfter(FOLLOW_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                        .getLogs(GetLogsRequest.newBuilder().setPodId(uuid).setFollow(true).setLines(1).build());
                it.next();
                assertExit(0, bosun("app", "add", INSECURE, uuid, aci(), "--name=late", "--exec=/bin/sh", "--", "-c",
                        "echo late-hello; exec sleep 600"));
                assertExit(0, bosun("app", "start", uuid, "--app=late"));
                List<String> seen = new ArrayList<>();
                while (it.hasNext()) {
                    seen.addAll(it.next().getLinesList());
                    if (seen.stream().anyMatch(l -> l.contains("late-hello"))) {
                        break;
                    }
                }
                return seen;
            });
            assertTrue(got.toString(), got.contains("[late] late-hello"));
        }

        // stopped by the CLI: the events, the follow ends, the pod exited
        assertExit(0, bosun("stop", uuid));
        Event exited;
        try {
            exited = exits.until(EventType.EVENT_TYPE_POD_EXITED);
        } catch (AssertionError e) {
            // what the service reads of the pod then: still running, its lock unreadable to the service's user?
            throw new AssertionError(e.getMessage() + "; the service reads the pod as "
                    + api.get().inspectPod(InspectPodRequest.newBuilder().setId(uuid).build()).getPod().getState()
                    + "; all the events: " + all.seen + "; " + lockModes(), e);
        }
        assertEquals(uuid, exited.getId());
        assertEquals("only the filter's events: " + exits.seen, List.of(exited), exits.seen);
        all.until(EventType.EVENT_TYPE_POD_EXITED);
        assertTrue(all.seen.toString(), all.seen.stream().anyMatch(e -> e.getType() == EventType.EVENT_TYPE_APP_EXITED
                && e.getFrom().equals("talk")));
        while (untilExit.hasNext()) {
            untilExit.next();
        }
        Pod stopped = api.get().inspectPod(InspectPodRequest.newBuilder().setId(uuid).build()).getPod();
        assertEquals(stopped.toString(), PodState.POD_STATE_EXITED, stopped.getState());
        assertEquals(stopped.toString(), AppState.APP_STATE_EXITED, stopped.getApps(0).getState());
        assertEquals(List.of(uuid), ids(api, podFilter(PodFilter.newBuilder().addStates(PodState.POD_STATE_EXITED))));
        all.close();
        exits.close();
        assertExit(0, bosun("gc", "--grace-period=0s"));
    }

    /** A ListenEvents stream: its events, in order, once the service said it follows (its first, empty response). */
    private static final class Events implements StreamObserver<ListenEventsResponse>, AutoCloseable {
        final BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
        final List<Event> seen = new ArrayList<>();
        final Context.CancellableContext context = Context.current().withCancellation();

        Events(PublicAPIGrpc.PublicAPIStub async, EventFilter filter) throws Exception {
            context.run(() -> async.listenEvents(ListenEventsRequest.newBuilder().setFilter(filter).build(), this));
            Object first = queue.poll(30, TimeUnit.SECONDS);
            if (!(first instanceof ListenEventsResponse r) || r.getEventsCount() != 0) {
                throw new AssertionError("ListenEvents did not start with an empty response: " + first);
            }
        }

        Event until(EventType type) throws InterruptedException {
            while (true) {
                Object next = queue.poll(EVENT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                if (next == null) {
                    fail("no " + type + " within " + EVENT_TIMEOUT + "; seen " + seen);
                }
                if (!(next instanceof ListenEventsResponse r)) {
                    throw new AssertionError("the event stream ended: " + next + "; seen " + seen);
                }
                for (Event e : r.getEventsList()) {
                    seen.add(e);
                    if (e.getType() == type) {
                        return e;
                    }
                }
            }
        }

        @Override
        public void onNext(ListenEventsResponse value) {
            queue.add(value);
        }

        @Override
        public void onError(Throwable t) {
            queue.add(t);
        }

        @Override
        public void onCompleted() {
            queue.add("completed");
        }

        @Override
        public void close() {
            context.cancel(null);
        }
    }

    private static ListPodsRequest podFilter(PodFilter.Builder f) {
        return ListPodsRequest.newBuilder().addFilters(f).build();
    }

    private static ListImagesRequest imageFilter(ImageFilter.Builder f) {
        return ListImagesRequest.newBuilder().addFilters(f).build();
    }

    private String lockModes() throws IOException {
        List<String> modes = new ArrayList<>();
        try (var found = Files.find(data.resolve("pods"), 3, (p, a) -> p.getFileName().toString().equals("pod.lck"))) {
            for (Path p : found.toList()) {
                modes.add(data.relativize(p) + " " + PosixFilePermissions.toString(Files.getPosixFilePermissions(p)));
            }
        }
        return "lock files: " + modes;
    }

    private static List<String> ids(Supplier<PublicAPIGrpc.PublicAPIBlockingStub> api, ListPodsRequest request) {
        return api.get().listPods(request).getPodsList().stream().map(Pod::getId).toList();
    }

    private static List<String> lines(Iterator<GetLogsResponse> it) {
        List<String> lines = new ArrayList<>();
        it.forEachRemaining(r -> lines.addAll(r.getLinesList()));
        return lines;
    }

    private static int number(String line) {
        assertTrue(line, line.matches("line\\d+"));
        return Integer.parseInt(line.substring(4));
    }

    private static Status.Code code(Runnable call) {
        try {
            call.run();
        } catch (StatusRuntimeException e) {
            assertFalse("one line: " + e.getStatus().getDescription(), String.valueOf(e.getStatus().getDescription())
                    .contains("\n"));
            return e.getStatus().getCode();
        }
        throw new AssertionError("no error");
    }

    private static boolean deadlineExceeded(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof StatusRuntimeException sre && sre.getStatus().getCode() == Status.Code.DEADLINE_EXCEEDED) {
                return true;
            }
        }
        return false;
    }

    /**
     * A call that outlived its deadline (GetInfo once hung in a full run, cause not found): the
     * threads of both ends, the service's (SIGQUIT: the JVM prints them on its stdout) and this
     * JVM's gRPC and test threads, so the next occurrence says where each side waits.
     */
    private static String threads(Process service, Path stdout) throws IOException, InterruptedException {
        StringBuilder b = new StringBuilder("\n--- the client's threads ---\n");
        Thread.getAllStackTraces().forEach((t, stack) -> {
            String n = t.getName();
            if (n.startsWith("grpc") || n.contains("Time-limited") || n.equals("main") || n.contains("netty")) {
                b.append('"').append(n).append("\" ").append(t.getState()).append('\n');
                for (StackTraceElement f : stack) {
                    b.append("    at ").append(f).append('\n');
                }
            }
        });
        if (service.isAlive()) {
            new ProcessBuilder("kill", "-QUIT", Long.toString(service.pid())).inheritIO().start().waitFor();
            Thread.sleep(1000);
        }
        return b + "--- the service's threads (" + stdout.getFileName() + ") ---\n" + Files.readString(stdout);
    }
}
