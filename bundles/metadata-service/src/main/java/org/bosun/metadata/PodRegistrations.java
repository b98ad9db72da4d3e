package org.bosun.metadata;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The pods registered with the metadata service, found where core keeps them: every pod with a
 * network has a host record {@code /var/lib/bosun-host/held/<uuid>/pod.json} naming its data
 * directory, whatever {@code --dir} it was prepared in, and its pod directory holds its
 * registration {@code metadata-service.json} (token, HMAC key, URL, addresses; written by core when
 * the pod's network is set up, root only). Core also tells a running service over its registration
 * socket ({@link RegistrationSocket}): {@link #register} when the network is set up, {@link #forget}
 * at gc, after which the pod is refused at once, before its directory goes. The files are the
 * record, so a service started later serves the pods registered before it: the service keeps only
 * a cache from token to registration file, checked again at every use, and the pods removed.
 */
final class PodRegistrations {
    static final Path HOST_ROOT = Path.of("/var/lib/bosun-host");
    static final String REGISTRATION = "metadata-service.json";
    /** core's pod state directories, in the order a pod moves through them. */
    private static final List<String> STATES = List.of("prepare", "prepared", "run", "exited-garbage", "garbage");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The host record's fields the service needs. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record Holding(String uuid, String dataDir, String podsDir) {
    }

    /** The registration's fields, as core writes them. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record Registration(String uuid, String token, String hmacKey, String url, List<String> addresses) {
    }

    /** One registered pod. */
    record Pod(String uuid, Path podDir, Path dataDir, Registration registration) {
        byte[] key() {
            return Base64.getDecoder().decode(registration.hmacKey());
        }

        /** The host address in the pod's URL, where its requests must arrive. */
        String serviceHost() {
            String host = java.net.URI.create(registration.url()).getHost();
            return host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        }
    }

    private final Path held;
    private final Map<String, Path> byToken = new ConcurrentHashMap<>();
    /** Pods removed by the runtime (at gc) whose host record may still be there: never answered again. */
    private final java.util.Set<String> forgotten = ConcurrentHashMap.newKeySet();

    /** @param hostRoot {@link #HOST_ROOT}; tests give their own */
    PodRegistrations(Path hostRoot) {
        this.held = hostRoot.resolve("held");
    }

    /**
     * The running pod whose token this is. Only a running pod: its apps are the only ones that
     * know the token, and an exited pod's addresses may be another pod's now.
     */
    Optional<Pod> byToken(String token) {
        Path cached = byToken.get(token);
        if (cached != null) {
            Optional<Pod> pod = read(cached).filter(p -> sameToken(p, token) && running(p) && !forgotten.contains(
                    p.uuid()));
            if (pod.isPresent()) {
                return pod;
            }
            byToken.remove(token);
        }
        for (Holding h : holdings()) {
            Optional<Pod> pod = locate(h).filter(p -> running(p) && !forgotten.contains(p.uuid()));
            if (pod.isPresent()) {
                byToken.put(pod.get().registration().token(), pod.get().podDir().resolve(REGISTRATION));
                if (sameToken(pod.get(), token)) {
                    return pod;
                }
            }
        }
        return Optional.empty();
    }

    private static boolean running(Pod pod) {
        return pod.podDir().getParent().getFileName().toString().equals("run");
    }

    /** The registered pod of this uuid, in whatever state until gc: its signatures verify until then. */
    Optional<Pod> byUuid(String uuid) {
        if (!isUuid(uuid) || forgotten.contains(uuid)) {
            return Optional.empty();
        }
        Path record = held.resolve(uuid).resolve("pod.json");
        try {
            return locate(JSON.readValue(record.toFile(), Holding.class)).filter(p -> p.uuid().equals(uuid));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    static boolean isUuid(String s) {
        return s.matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    }

    /**
     * The runtime registers the pod: its registration is read now and its token cached.
     *
     * @return null, or why the pod has no registration the service can read
     */
    String register(String uuid) {
        forgotten.remove(uuid);
        Path record = held.resolve(uuid).resolve("pod.json");
        Holding h;
        try {
            h = JSON.readValue(record.toFile(), Holding.class);
        } catch (IOException e) {
            return "pod " + uuid + " has no readable host record " + record + " (" + e.getMessage() + ")";
        }
        Optional<Pod> pod = locate(h).filter(p -> p.uuid().equals(uuid));
        if (pod.isEmpty()) {
            return "pod " + uuid + " has no readable registration " + REGISTRATION + " under " + h.podsDir();
        }
        byToken.put(pod.get().registration().token(), pod.get().podDir().resolve(REGISTRATION));
        return null;
    }

    /** The runtime removes the pod (gc): it is refused from now on, whatever is left of its files. */
    void forget(String uuid) {
        // Pods whose host record is gone need no entry: nothing can find them any more.
        forgotten.removeIf(u -> !Files.exists(held.resolve(u)));
        forgotten.add(uuid);
        byToken.values().removeIf(file -> file.getParent().getFileName().toString().equals(uuid));
    }

    /** The pods registered now, in any state until gc. */
    List<Pod> registered() {
        List<Pod> all = new java.util.ArrayList<>();
        for (Holding h : holdings()) {
            locate(h).filter(p -> !forgotten.contains(p.uuid())).ifPresent(all::add);
        }
        return all;
    }

    private static boolean sameToken(Pod pod, String token) {
        return MessageDigest.isEqual(pod.registration().token().getBytes(StandardCharsets.US_ASCII),
                token.getBytes(StandardCharsets.US_ASCII));
    }

    private List<Holding> holdings() {
        List<Holding> all = new java.util.ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(held)) {
            for (Path dir : dirs) {
                try {
                    all.add(JSON.readValue(dir.resolve("pod.json").toFile(), Holding.class));
                } catch (IOException gone) {
                    // a record being written or removed: not a registered pod now
                }
            }
        } catch (IOException none) {
            // no pod has ever held anything on this host
        }
        return all;
    }

    private static Optional<Pod> locate(Holding h) {
        if (h.uuid() == null || h.podsDir() == null) {
            return Optional.empty();
        }
        for (String state : STATES) {
            Optional<Pod> pod = read(Path.of(h.podsDir(), state, h.uuid(), REGISTRATION));
            if (pod.isPresent()) {
                return pod;
            }
        }
        return Optional.empty();
    }

    private static Optional<Pod> read(Path file) {
        try {
            Registration r = JSON.readValue(file.toFile(), Registration.class);
            if (r.token() == null || r.hmacKey() == null || r.url() == null || r.uuid() == null) {
                return Optional.empty();
            }
            Path podDir = file.getParent();
            return Optional.of(new Pod(r.uuid(), podDir, podDir.getParent().getParent().getParent(), r));
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
