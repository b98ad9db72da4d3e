package org.bosun.core;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

import org.bosun.api.BosunException;
import org.bosun.api.net.NetworkAttachment;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A pod's registration with the appc metadata service ({@code bosun metadata-service}, the
 * {@code metadata-service} bundle): written when the pod's network is set up, read by the service,
 * gone with the pod's directory at gc. The file {@value #FILE} in the pod directory, root only:
 * <ul>
 * <li>{@code token}: 256 random bits, the path prefix of the pod's {@code AC_METADATA_URL}, as the
 * appc spec recommends (the service knows the pod by it; the uuid would be guessable).</li>
 * <li>{@code hmacKey}: the pod's HMAC-SHA512 key (base64), with which the service signs for it.</li>
 * <li>{@code url}: {@code http://GATEWAY:PORT/TOKEN}, GATEWAY being the host side of the pod's first
 * network that has one (the bridge or the ptp peer), PORT the one the service last recorded in
 * {@value #PORT_FILE} (else {@value #DEFAULT_PORT}, rkt's).</li>
 * <li>{@code addresses}: the pod's own addresses; the service answers only requests from them.</li>
 * </ul>
 * A pod with {@code --net=none} or {@code --net=host} has none: it cannot reach the host's side of
 * a pod network, and its apps get no {@code AC_METADATA_URL} (a note says so with --debug).
 * <p>
 * A running service is also told, over HTTP on its root-only unix socket (the path it recorded in
 * {@value #SOCKET_NAME} beside its port, else {@link #DEFAULT_SOCKET}, as rkt's
 * {@code /run/rkt/metadata-svc.sock}):
 * {@code PUT /pods/UUID} once the file is written, {@code DELETE /pods/UUID} at gc, before the
 * directory goes. The file stays the record: a service started later serves the pods registered
 * before it, so a pod prepared with no service running only gets a note (--debug) saying so.
 */
final class PodMetadataRegistration {
    static final String FILE = "metadata-service.json";
    /** Where the running service records its TCP port (written by the metadata-service bundle). */
    static final Path PORT_FILE = PodHoldings.ROOT.resolve("metadata-service/port");
    /** Beside the port: where the running service takes registrations (written by the metadata-service bundle). */
    static final String SOCKET_NAME = "socket";
    /** The socket of the service on the default port (when none recorded its own). */
    static final Path DEFAULT_SOCKET = Path.of("/run/bosun/metadata-svc.sock");
    /** How long a registration may take before the pod goes on without the service's answer. */
    static final java.time.Duration SOCKET_TIMEOUT = java.time.Duration.ofSeconds(2);
    static final int DEFAULT_PORT = 18112;
    static final String ENV = "AC_METADATA_URL";
    static final int VERSION = 1;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The file's content. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record Registration(int version, String uuid, String token, String hmacKey, String url, List<String> addresses) {
    }

    private final Path portFile;
    private final Path defaultSocket;

    PodMetadataRegistration() {
        this(PORT_FILE, DEFAULT_SOCKET);
    }

    /**
     * @param portFile {@link #PORT_FILE}; tests give their own
     * @param defaultSocket {@link #DEFAULT_SOCKET}, where the service on the default port takes registrations
     */
    PodMetadataRegistration(Path portFile, Path defaultSocket) {
        this.portFile = portFile;
        this.defaultSocket = defaultSocket;
    }

    /**
     * Registers the pod with a new token and key, reachable through the first of {@code attached}
     * that has a gateway; with none, removes any earlier registration and returns why the pod has
     * no metadata URL (a note), else null.
     */
    String register(Path podDir, String uuid, boolean host, boolean none, List<NetworkAttachment> attached) {
        remove(podDir);
        if (host || none) {
            return "--net=" + (host ? "host" : "none") + ": the apps get no " + ENV + " (the appc metadata service"
                    + " answers on the host's side of a pod network, which this pod has not)";
        }
        String gateway = attached.stream().map(NetworkAttachment::gateway).filter(g -> g != null && !g.isBlank())
                .findFirst().orElse(null);
        if (gateway == null) {
            return "no network of the pod has a gateway: the apps get no " + ENV;
        }
        List<String> addresses = new ArrayList<>();
        for (NetworkAttachment a : attached) {
            if (a.address() != null) {
                addresses.add(a.address().replaceFirst("/.*", ""));
            }
        }
        String token = HexFormat.of().formatHex(random(32));
        String key = Base64.getEncoder().encodeToString(random(64));
        String url = "http://" + hostInUrl(gateway) + ":" + port() + "/" + token;
        write(podDir.resolve(FILE), new Registration(VERSION, uuid, token, key, url, addresses));
        return tell("PUT", uuid);
    }

    /**
     * Tells the running service (if any) that the pod is removed (gc): it refuses the pod from now
     * on. Without a service, nothing to tell: the registration goes with the pod's directory.
     */
    void forget(String uuid) {
        tell("DELETE", uuid);
    }

    /**
     * One request on the service's registration socket.
     *
     * @return null when the service took it, else a note saying why the service does not know of
     *         it yet
     */
    String tell(String method, String uuid) {
        Path socket;
        try {
            socket = Path.of(Files.readString(portFile.resolveSibling(SOCKET_NAME)).trim());
        } catch (IOException | java.nio.file.InvalidPathException none) {
            // as the port: the default one's, which a service on another port that stopped leaves unrecorded
            socket = defaultSocket;
        }
        if (!Files.exists(socket)) {
            return "no appc metadata service runs (bosun metadata-service, or an agent): the pod's " + ENV
                    + " answers once one does";
        }
        String answer = MetadataSocketClient.exchange(socket, method, "/pods/" + uuid, SOCKET_TIMEOUT);
        return answer == null ? null : "the appc metadata service on " + socket + " did not take the pod's registration ("
                + answer + "); its " + ENV + " answers once the service reads it";
    }

    /** The pod's {@code AC_METADATA_URL}, or null when it has no registration. */
    static String url(Path podDir) {
        try {
            return JSON.readValue(podDir.resolve(FILE).toFile(), Registration.class).url();
        } catch (java.io.FileNotFoundException | NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw BosunException.internal("cannot read the metadata service registration " + podDir.resolve(FILE)
                    + ": " + e.getMessage(), e);
        }
    }

    static void remove(Path podDir) {
        try {
            Files.deleteIfExists(podDir.resolve(FILE));
        } catch (IOException e) {
            throw BosunException.internal("cannot remove " + podDir.resolve(FILE) + ": " + e.getMessage(), e);
        }
    }

    int port() {
        try {
            int port = Integer.parseInt(Files.readString(portFile).trim());
            return port > 0 && port < 65536 ? port : DEFAULT_PORT;
        } catch (IOException | NumberFormatException e) {
            return DEFAULT_PORT;
        }
    }

    private static String hostInUrl(String address) {
        try {
            return InetAddress.getByName(address) instanceof java.net.Inet6Address ? "[" + address + "]" : address;
        } catch (java.net.UnknownHostException e) {
            throw BosunException.internal("the gateway '" + address + "' is not an address", e);
        }
    }

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    private static void write(Path file, Registration r) {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            Files.deleteIfExists(tmp);
            // Created root-only before the key is in it: the key must never be readable by others.
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.write(tmp, JSON.writeValueAsBytes(r));
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw BosunException.internal("cannot write the metadata service registration " + file + ": "
                    + e.getMessage(), e);
        }
    }
}
