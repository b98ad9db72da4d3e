package org.bosun.apiservice;

import static org.bosun.grpc.GrpcErrors.answer;
import static org.bosun.grpc.GrpcErrors.status;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.bosun.api.BosunException;
import org.bosun.api.RuntimePaths;
import org.bosun.api.event.BosunEvent;
import org.bosun.api.event.EventFeed;
import org.bosun.api.image.ImageStore;
import org.bosun.api.image.StoredImage;
import org.bosun.api.net.NetworkAttachment;
import org.bosun.api.pod.AppInfo;
import org.bosun.api.pod.PodInfo;
import org.bosun.api.pod.PodService;
import org.bosun.api.provider.ProviderKind;
import org.bosun.api.provider.ProviderRegistry;
import org.bosun.apiservice.v1alpha.App;
import org.bosun.apiservice.v1alpha.AppState;
import org.bosun.apiservice.v1alpha.Event;
import org.bosun.apiservice.v1alpha.EventFilter;
import org.bosun.apiservice.v1alpha.EventType;
import org.bosun.apiservice.v1alpha.GetInfoRequest;
import org.bosun.apiservice.v1alpha.GetInfoResponse;
import org.bosun.apiservice.v1alpha.GetLogsRequest;
import org.bosun.apiservice.v1alpha.GetLogsResponse;
import org.bosun.apiservice.v1alpha.GlobalFlags;
import org.bosun.apiservice.v1alpha.Image;
import org.bosun.apiservice.v1alpha.ImageFilter;
import org.bosun.apiservice.v1alpha.ImageFormat;
import org.bosun.apiservice.v1alpha.ImageType;
import org.bosun.apiservice.v1alpha.Info;
import org.bosun.apiservice.v1alpha.InspectImageRequest;
import org.bosun.apiservice.v1alpha.InspectImageResponse;
import org.bosun.apiservice.v1alpha.InspectPodRequest;
import org.bosun.apiservice.v1alpha.InspectPodResponse;
import org.bosun.apiservice.v1alpha.KeyValue;
import org.bosun.apiservice.v1alpha.ListImagesRequest;
import org.bosun.apiservice.v1alpha.ListImagesResponse;
import org.bosun.apiservice.v1alpha.ListPodsRequest;
import org.bosun.apiservice.v1alpha.ListPodsResponse;
import org.bosun.apiservice.v1alpha.ListenEventsRequest;
import org.bosun.apiservice.v1alpha.ListenEventsResponse;
import org.bosun.apiservice.v1alpha.Network;
import org.bosun.apiservice.v1alpha.Pod;
import org.bosun.apiservice.v1alpha.PodFilter;
import org.bosun.apiservice.v1alpha.PodState;
import org.bosun.apiservice.v1alpha.PublicAPIGrpc;

import com.google.protobuf.ByteString;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;

/**
 * rkt's {@code v1alpha.PublicAPI} over one data directory: pods through the {@link PodService}
 * (as {@code bosun list} and {@code status}), images through the {@link ImageStore}, events from the
 * {@link EventFeed}, logs from the apps' log files. Nothing here changes anything.
 */
final class PublicApi extends PublicAPIGrpc.PublicAPIImplBase implements AutoCloseable {
    static final String APPC_VERSION = "0.8.11";
    static final String API_VERSION = "1.0.0";

    private final RuntimePaths paths;
    private final PodService pods;
    private final ImageStore images;
    private final EventFeed events;
    private final ProviderRegistry providers;
    private final String version;
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "bosun-api-service-timer");
        t.setDaemon(true);
        return t;
    });

    PublicApi(RuntimePaths paths, PodService pods, ImageStore images, EventFeed events, ProviderRegistry providers,
            String version) {
        this.paths = paths;
        this.pods = pods;
        this.images = images;
        this.events = events;
        this.providers = providers;
        this.version = version;
    }

    @Override
    public void close() {
        timers.shutdownNow();
    }

    // ---- GetInfo

    @Override
    public void getInfo(GetInfoRequest request, StreamObserver<GetInfoResponse> response) {
        answer(response, () -> GetInfoResponse.newBuilder().setInfo(Info.newBuilder().setRktVersion(version)
                .setAppcVersion(APPC_VERSION).setApiVersion(API_VERSION)
                .setGlobalFlags(GlobalFlags.newBuilder().setDir(paths.dataDir().toString())
                        .setLocalConfigDir(paths.localConfigDir().toString())
                        .setSystemConfigDir(paths.systemConfigDir().toString())))
                .build());
    }

    // ---- pods

    @Override
    public void listPods(ListPodsRequest request, StreamObserver<ListPodsResponse> response) {
        answer(response, () -> {
            for (PodFilter f : request.getFiltersList()) {
                if (f.getCgroupsCount() > 0 || f.getPodSubCgroupsCount() > 0) {
                    throw BosunException.notImplemented("the cgroups and pod_sub_cgroups filters of ListPods are not"
                            + " implemented: bosun's pod records name no cgroup; filter by ids, states, apps, images,"
                            + " networks or annotations");
                }
            }
            ListPodsResponse.Builder out = ListPodsResponse.newBuilder();
            for (PodInfo info : pods.list(paths)) {
                if (request.getFiltersCount() == 0
                        || request.getFiltersList().stream().anyMatch(f -> PodFilters.matches(f, info))) {
                    out.addPods(pod(info, request.getDetail()));
                }
            }
            return out.build();
        });
    }

    @Override
    public void inspectPod(InspectPodRequest request, StreamObserver<InspectPodResponse> response) {
        answer(response, () -> InspectPodResponse.newBuilder().setPod(pod(findPod(request.getId()), true)).build());
    }

    private PodInfo findPod(String id) {
        if (id.isEmpty()) {
            throw BosunException.invalid("no pod id given; give a pod's UUID (or a unique prefix) in 'id'");
        }
        return pods.status(paths, id);
    }

    Pod pod(PodInfo info, boolean detail) {
        Pod.Builder p = Pod.newBuilder().setId(info.uuid()).setState(state(info.state()));
        if (info.pid() > 0 && info.pid() <= Integer.MAX_VALUE) {
            p.setPid((int) info.pid());
        }
        p.setCreatedAt(nanos(info.created())).setStartedAt(nanos(info.started()));
        boolean early = switch (info.state()) {
            case EMBRYO, PREPARING, ABORTED_PREPARE -> true;
            default -> false;
        };
        if (early) {
            return p.build();
        }
        for (AppInfo a : info.apps()) {
            App.Builder app = App.newBuilder().setName(a.name()).setImage(Image.newBuilder()
                    .setId(nullToEmpty(a.imageId())).setName(nullToEmpty(a.imageName())));
            app.setState(switch (a.state()) {
                case RUNNING -> AppState.APP_STATE_RUNNING;
                case EXITED -> AppState.APP_STATE_EXITED;
                default -> AppState.APP_STATE_UNDEFINED;
            });
            if (a.exitCode() != null) {
                app.setExitCode(a.exitCode());
            }
            a.userAnnotations().forEach((k, v) -> app.addAnnotations(kv(k, v)));
            p.addApps(app);
        }
        if (info.state() == org.bosun.api.pod.PodState.RUNNING) {
            for (NetworkAttachment n : info.networks()) {
                p.addNetworks(network(n));
            }
        }
        info.annotations().forEach((k, v) -> p.addAnnotations(kv(k, v)));
        info.userAnnotations().forEach((k, v) -> {
            if (!info.annotations().containsKey(k)) {
                p.addAnnotations(kv(k, v));
            }
        });
        if (detail) {
            try {
                p.setManifest(ByteString.copyFromUtf8(pods.manifest(paths, info.uuid())));
            } catch (BosunException e) {
                // a pod gone meanwhile, or one without a manifest yet: listed without it
            }
        }
        return p.build();
    }

    static Network network(NetworkAttachment n) {
        Network.Builder b = Network.newBuilder().setName(nullToEmpty(n.network()));
        String address = n.address() == null ? "" : n.address();
        int slash = address.indexOf('/');
        String ip = slash >= 0 ? address.substring(0, slash) : address;
        if (ip.contains(":")) {
            b.setIpv6(ip);
        } else {
            b.setIpv4(ip);
        }
        return b.build();
    }

    static PodState state(org.bosun.api.pod.PodState s) {
        return switch (s) {
            case EMBRYO -> PodState.POD_STATE_EMBRYO;
            case PREPARING -> PodState.POD_STATE_PREPARING;
            case ABORTED_PREPARE -> PodState.POD_STATE_ABORTED_PREPARE;
            case PREPARED -> PodState.POD_STATE_PREPARED;
            case RUNNING -> PodState.POD_STATE_RUNNING;
            case EXITED -> PodState.POD_STATE_EXITED;
            // marked by gc, deleted at its next pass: rkt's garbage states
            case EXITED_GARBAGE, GARBAGE -> PodState.POD_STATE_GARBAGE;
        };
    }

    // ---- images

    @Override
    public void listImages(ListImagesRequest request, StreamObserver<ListImagesResponse> response) {
        answer(response, () -> {
            ListImagesResponse.Builder out = ListImagesResponse.newBuilder();
            for (StoredImage s : images.list(paths)) {
                if (request.getFiltersCount() == 0
                        || request.getFiltersList().stream().anyMatch(f -> ImageFilters.matches(f, s))) {
                    out.addImages(image(s, request.getDetail()));
                }
            }
            return out.build();
        });
    }

    @Override
    public void inspectImage(InspectImageRequest request, StreamObserver<InspectImageResponse> response) {
        answer(response, () -> {
            if (request.getId().isEmpty()) {
                throw BosunException.invalid("no image id given; give an image's id (or name) in 'id'");
            }
            StoredImage s = images.find(paths, request.getId()).orElseThrow(() -> BosunException.notFound(
                    "no image '" + request.getId() + "' in " + paths.dataDir() + "; ListImages shows the ids"));
            return InspectImageResponse.newBuilder().setImage(image(s, true)).build();
        });
    }

    Image image(StoredImage s, boolean detail) {
        Image.Builder b = Image.newBuilder().setId(s.id()).setName(ImageFilters.baseName(s))
                .setVersion(ImageFilters.version(s)).setSize(Math.max(0, s.size()))
                .setBaseFormat(ImageFormat.newBuilder().setType(type(s.format())).setVersion(formatVersion(s.format())));
        if (s.importTime() != null) {
            b.setImportTimestamp(s.importTime().getEpochSecond());
        }
        if (s.manifest() != null) {
            s.manifest().labels().forEach((k, v) -> b.addLabels(kv(k, v)));
            s.manifest().annotations().forEach((k, v) -> b.addAnnotations(kv(k, v)));
        }
        if (detail) {
            images.originalManifest(paths, s).ifPresent(m -> b.setManifest(ByteString.copyFromUtf8(m)));
        }
        return b.build();
    }

    static ImageType type(String format) {
        String f = format == null ? "" : format.toLowerCase(Locale.ROOT);
        if (f.startsWith("appc") || f.equals("aci")) {
            return ImageType.IMAGE_TYPE_APPC;
        } else if (f.startsWith("docker")) {
            return ImageType.IMAGE_TYPE_DOCKER;
        } else if (f.startsWith("oci")) {
            return ImageType.IMAGE_TYPE_OCI;
        }
        return ImageType.IMAGE_TYPE_UNDEFINED;
    }

    private static String formatVersion(String format) {
        return switch (type(format)) {
            case IMAGE_TYPE_APPC -> APPC_VERSION;
            case IMAGE_TYPE_OCI -> "1.0.0";
            case IMAGE_TYPE_DOCKER -> "2.2";
            default -> "";
        };
    }

    // ---- events

    /**
     * The events from now on (and, with {@code since_time}, the journaled ones from then), one per
     * response; the first response is empty and says the stream follows the data directory from then
     * on. With {@code until_time} the stream ends at that moment.
     */
    @Override
    public void listenEvents(ListenEventsRequest request, StreamObserver<ListenEventsResponse> response) {
        ServerCallStreamObserver<ListenEventsResponse> out = (ServerCallStreamObserver<ListenEventsResponse>) response;
        EventFilter filter = request.getFilter();
        long until = filter.getUntilTime();
        Object lock = new Object();
        boolean[] done = {false};
        Set<String> replayed = new HashSet<>();
        List<BosunEvent> early = new ArrayList<>();
        boolean[] live = {false};
        java.util.function.Consumer<BosunEvent> send = e -> {
            Event mapped = EventMapping.map(e);
            if (mapped != null && EventMapping.matches(filter, mapped)) {
                out.onNext(ListenEventsResponse.newBuilder().addEvents(mapped).build());
            }
        };
        EventFeed.Subscription subscription;
        try {
            subscription = events.follow(paths, e -> {
                synchronized (lock) {
                    if (done[0]) {
                        return;
                    }
                    if (!live[0]) {
                        early.add(e);
                        return;
                    }
                    if (until > 0 && e.timestamp().getEpochSecond() >= until) {
                        return;
                    }
                    try {
                        send.accept(e);
                    } catch (RuntimeException gone) {
                        done[0] = true;
                    }
                }
            });
        } catch (BosunException e) {
            response.onError(status(e));
            return;
        }
        Runnable finish = () -> {
            synchronized (lock) {
                if (!done[0]) {
                    done[0] = true;
                    try {
                        out.onCompleted();
                    } catch (RuntimeException ignored) {
                        // cancelled meanwhile
                    }
                }
            }
            subscription.close();
        };
        out.setOnCancelHandler(() -> {
            synchronized (lock) {
                done[0] = true;
            }
            subscription.close();
        });
        synchronized (lock) {
            if (filter.getSinceTime() > 0) {
                for (BosunEvent e : events.journal(paths, Instant.ofEpochSecond(filter.getSinceTime()),
                        until > 0 ? Instant.ofEpochSecond(until) : null)) {
                    replayed.add(key(e));
                    send.accept(e);
                }
            }
            for (BosunEvent e : early) {
                if (!replayed.contains(key(e)) && (until <= 0 || e.timestamp().getEpochSecond() < until)) {
                    send.accept(e);
                }
            }
            early.clear();
            live[0] = true;
            // an empty response (rkt's API allows one): the client knows it is followed from here on
            out.onNext(ListenEventsResponse.getDefaultInstance());
        }
        if (until > 0) {
            long delay = until * 1000 - System.currentTimeMillis();
            timers.schedule(finish, Math.max(0, delay), TimeUnit.MILLISECONDS);
        }
    }

    private static String key(BosunEvent e) {
        return e.type() + "|" + e.timestamp() + "|" + e.pod() + "|" + e.app() + "|" + e.image();
    }

    // ---- logs

    @Override
    public void getLogs(GetLogsRequest request, StreamObserver<GetLogsResponse> response) {
        ServerCallStreamObserver<GetLogsResponse> out = (ServerCallStreamObserver<GetLogsResponse>) response;
        try {
            if (request.getSinceTime() != 0 || request.getUntilTime() != 0) {
                throw BosunException.notImplemented("since_time and until_time of GetLogs are not implemented: the apps'"
                        + " log files keep no timestamps; ask for the last 'lines' instead");
            }
            if (request.getLines() < 0) {
                throw BosunException.invalid("lines " + request.getLines() + " is negative; give 0 (all) or more");
            }
            PodInfo pod = findPod(request.getPodId());
            if (!keepsOutput(pod)) {
                throw BosunException.precondition("pod " + pod.uuid() + " keeps no logs: its engine '"
                        + pod.stage1().name() + "' does not supervise its apps, which write straight to the"
                        + " terminal of the bosun run that started them");
            }
            List<String> names = pod.apps().stream().map(AppInfo::name).toList();
            if (!request.getAppName().isEmpty()) {
                if (!names.contains(request.getAppName())) {
                    throw BosunException.notFound("pod " + pod.uuid() + " has no app '" + request.getAppName()
                            + "'; its apps are " + String.join(", ", names));
                }
                names = List.of(request.getAppName());
            } else {
                names = null;
            }
            new AppLogs(pods, paths, pod, names, request.getLines() > 0 ? request.getLines() : null)
                    .stream(out, request.getFollow());
        } catch (BosunException e) {
            response.onError(status(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            response.onError(Status.CANCELLED.withDescription("the API service is stopping").asRuntimeException());
        } catch (StatusRuntimeException e) {
            // the client went away
        } catch (RuntimeException e) {
            response.onError(Status.INTERNAL.withDescription(String.valueOf(e.getMessage())).withCause(e)
                    .asRuntimeException());
        }
    }

    private boolean keepsOutput(PodInfo pod) {
        if (pod.stage1() == null || providers == null) {
            return true;
        }
        Optional<Boolean> supervised = providers.best(ProviderKind.ENGINE, ProviderKind.ENGINE.named(pod.stage1().name()))
                .map(engine -> engine.use(e -> e.capabilities().supervised()));
        return supervised.orElse(true);
    }

    // ---- helpers

    static KeyValue kv(String k, String v) {
        return KeyValue.newBuilder().setKey(k).setValue(v == null ? "" : v).build();
    }

    static long nanos(Instant t) {
        return t == null ? 0 : t.getEpochSecond() * 1_000_000_000L + t.getNano();
    }

    static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }

    static Map<String, String> map(List<KeyValue> kvs) {
        Map<String, String> m = new java.util.LinkedHashMap<>();
        kvs.forEach(kv -> m.put(kv.getKey(), kv.getValue()));
        return m;
    }

    static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
