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
 * the pod's network is set up, root only). A pod's registration goes with its directory at gc, so
 * the service keeps no state of its own: only a cache from token to registration file, checked
 * again at every use.
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
            Optional<Pod> pod = read(cached).filter(p -> sameToken(p, token) && running(p));
            if (pod.isPresent()) {
                return pod;
            }
            byToken.remove(token);
        }
        for (Holding h : holdings()) {
            Optional<Pod> pod = locate(h).filter(PodRegistrations::running);
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
        if (!uuid.matches("[0-9a-f-]{36}")) {
            return Optional.empty();
        }
        Path record = held.resolve(uuid).resolve("pod.json");
        try {
            return locate(JSON.readValue(record.toFile(), Holding.class)).filter(p -> p.uuid().equals(uuid));
        } catch (IOException e) {
            return Optional.empty();
        }
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
