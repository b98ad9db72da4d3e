package org.bosun.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.UnrecoverableKeyException;
import java.util.Base64;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The checks the agent makes before it boots a feature with the Felix web console: the console is root's
 * view of the node, so it never starts with the console's built-in admin/admin: with a password the
 * operator has set in {@code configurations.d} (plain or hashed), or else one generated at the first start
 * ({@link #generatePassword}: its hash in the local {@code configurations.d/console-password.json}, the
 * password itself once in {@code DATA/console/initial-admin-password}, both root-only); and only on a
 * loopback address unless it serves HTTPS (a keystore the operator configures, checked here). The HTTP
 * server's address, port and TLS settings go into the framework properties too, so that Jetty binds them
 * from its first start, before Configuration Admin hands it its configuration.
 *
 * <p>The same holds for the console's user, password, realm and root: the console registers its servlet
 * at once with its defaults (admin/admin) and only re-registers it when Configuration Admin, on its own
 * thread, delivers the operator's configuration. Under load that took seconds, in which the console
 * answered to admin/admin; with these settings also its framework-property defaults, its first
 * registration already asks for the operator's password.
 */
final class ConsoleSettings {
    static final String WEBCONSOLE = "org.apache.felix:org.apache.felix.webconsole:";
    static final String CONSOLE_PID = "org.apache.felix.webconsole.internal.servlet.OsgiManager";
    static final String HTTP_PID = "org.apache.felix.http";
    static final String HOST = "org.apache.felix.http.host";
    static final String PORT = "org.osgi.service.http.port";
    static final String LOG_LEVEL = "org.slf4j.simpleLogger.defaultLogLevel";
    /** The Felix HTTP service's (jetty12 1.1.8, JettyConfig) TLS settings. */
    static final String HTTP_ENABLE = "org.apache.felix.http.enable";
    static final String HTTPS_ENABLE = "org.apache.felix.https.enable";
    static final String HTTPS_PORT = "org.osgi.service.http.port.secure";
    static final String KEYSTORE = "org.apache.felix.https.keystore";
    static final String KEYSTORE_PASSWORD = "org.apache.felix.https.keystore.password";
    static final String KEY_PASSWORD = "org.apache.felix.https.keystore.key.password";
    static final String KEYSTORE_TYPE = "org.apache.felix.https.keystore.type";
    /** The file of the local configurations.d that holds a generated password's hash. */
    static final String GENERATED_CONFIG = "console-password.json";
    /** The generated password itself, under the data directory, for the operator to read once and delete. */
    static final String INITIAL_PASSWORD = "console/initial-admin-password";
    /** The web console's hash (its Password class): {sha-256}SALT-ITERATIONS-BASE64 of the digest iterated. */
    static final int HASH_ITERATIONS = 1000;
    static final String ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    static final int GENERATED_LENGTH = 24;
    private static final Set<PosixFilePermission> OWNER_FILE = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> OWNER_DIR = PosixFilePermissions.fromString("rwx------");
    /** The console's settings that it also reads from framework properties, as its defaults: PID key to property. */
    static final Map<String, String> CONSOLE_DEFAULTS = Map.of(
            "username", "felix.webconsole.username",
            "password", "felix.webconsole.password",
            "realm", "felix.webconsole.realm",
            "manager.root", "felix.webconsole.manager.root");

    private ConsoleSettings() {
    }

    /**
     * The framework properties the console needs; none for a feature without it. Bad settings: one line,
     * naming the file of the operator's {@code localFolder} (configurations.d) to set them in.
     */
    static Map<String, String> check(Assembly assembly, java.nio.file.Path localFolder) {
        String where = localFolder.resolve("console.json").toString();
        Map<String, String> props = new LinkedHashMap<>();
        if (assembly.bundles().stream().noneMatch(b -> b.id().startsWith(WEBCONSOLE))) {
            return props;
        }
        Map<String, Object> console = pid(assembly, CONSOLE_PID);
        Object password = console.get("password");
        if (!(password instanceof String p) || p.isBlank()) {
            throw new IllegalArgumentException("the web console has no password; set \"password\" of " + CONSOLE_PID
                    + " in " + where + " (mode 0600; see docs/console.md), the agent does not start it with a default");
        }
        if (p.equals("admin") || isHashed(p) && hashMatches(p, "admin")) {
            throw new IllegalArgumentException("the web console's password is the well-known default 'admin'; set"
                    + " another in " + where + " (see docs/console.md)");
        }
        Map<String, Object> http = pid(assembly, HTTP_PID);
        String host = String.valueOf(http.getOrDefault(HOST, "127.0.0.1"));
        boolean https = isTrue(http.get(HTTPS_ENABLE));
        try {
            if (!https && !InetAddress.getByName(host).isLoopbackAddress()) {
                throw new IllegalArgumentException("the web console's address " + host + " (" + HOST + " of "
                        + HTTP_PID + ") is not a loopback address, and the console serves other addresses only with"
                        + " TLS: set " + HTTPS_ENABLE + " and a keystore (see docs/console.md)");
            }
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("the web console's address '" + host + "' (" + HOST + " of " + HTTP_PID
                    + ") does not resolve; give an IP address such as 127.0.0.1");
        }
        int number = port(http, PORT);
        if (https) {
            props.putAll(tls(http));
        }
        props.put(HOST, host);
        props.put(PORT, Integer.toString(number));
        for (Map.Entry<String, String> e : CONSOLE_DEFAULTS.entrySet()) {
            Object value = console.get(e.getKey());
            if (value != null) {
                props.put(e.getValue(), String.valueOf(value));
            }
        }
        return props;
    }

    private static int port(Map<String, Object> http, String key) {
        Object port = http.getOrDefault(key, 15442);
        int number;
        try {
            number = port instanceof Number n ? n.intValue() : Integer.parseInt(String.valueOf(port));
        } catch (NumberFormatException e) {
            number = -1;
        }
        if (number < 1 || number > 65535) {
            throw new IllegalArgumentException("the web console's port '" + port + "' (" + key + " of " + HTTP_PID
                    + ") is not a port number 1-65535");
        }
        return number;
    }

    private static boolean isTrue(Object value) {
        return Boolean.TRUE.equals(value) || value instanceof String s && s.equalsIgnoreCase("true");
    }

    /**
     * HTTPS on, HTTP off: the keystore is opened here with its password and must hold a private key that
     * the key password (else the keystore's) recovers, so that a bad one is one line, not Jetty's stack trace.
     */
    static Map<String, String> tls(Map<String, Object> http) {
        String of = " of " + HTTP_PID;
        if (http.containsKey(HTTP_ENABLE) && isTrue(http.get(HTTP_ENABLE))) {
            throw new IllegalArgumentException("the web console serves HTTPS only: " + HTTP_ENABLE + of
                    + " must not be true when " + HTTPS_ENABLE + " is");
        }
        Object path = http.get(KEYSTORE);
        if (!(path instanceof String p) || p.isBlank() || !Path.of(p).isAbsolute()) {
            throw new IllegalArgumentException("the web console's TLS needs a keystore: set " + KEYSTORE + of
                    + " to the absolute path of a PKCS12 or JKS keystore (see docs/console.md)");
        }
        String type = String.valueOf(http.getOrDefault(KEYSTORE_TYPE, "PKCS12")).toUpperCase(java.util.Locale.ROOT);
        if (!type.equals("PKCS12") && !type.equals("JKS")) {
            throw new IllegalArgumentException("the web console's keystore type '" + http.get(KEYSTORE_TYPE) + "' ("
                    + KEYSTORE_TYPE + of + ") is not PKCS12 or JKS");
        }
        Object storePassword = http.get(KEYSTORE_PASSWORD);
        if (!(storePassword instanceof String sp) || sp.isEmpty()) {
            throw new IllegalArgumentException("the web console's keystore " + p + " has no password: set "
                    + KEYSTORE_PASSWORD + of);
        }
        Object keyPassword = http.get(KEY_PASSWORD);
        String kp = keyPassword == null ? sp : String.valueOf(keyPassword);
        Path file = Path.of(p);
        KeyStore store;
        try (InputStream in = Files.newInputStream(file)) {
            store = KeyStore.getInstance(type);
            store.load(in, sp.toCharArray());
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IllegalArgumentException("the web console's keystore " + p + " (" + KEYSTORE + of + ") does not exist");
        } catch (IOException e) {
            if (e.getCause() instanceof UnrecoverableKeyException || e.getCause() instanceof javax.crypto.BadPaddingException
                    || String.valueOf(e.getMessage()).contains("password")) {
                throw new IllegalArgumentException("the web console's keystore " + p + " does not open with its password ("
                        + KEYSTORE_PASSWORD + of + "): wrong password");
            }
            throw new IllegalArgumentException("the web console's keystore " + p + " cannot be read as " + type + " ("
                    + KEYSTORE_TYPE + of + "): " + e.getMessage());
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("the web console's keystore " + p + " cannot be read as " + type + ": " + e);
        }
        try {
            boolean key = false;
            for (String alias : Collections.list(store.aliases())) {
                if (store.isKeyEntry(alias)) {
                    store.getKey(alias, kp.toCharArray());
                    key = true;
                }
            }
            if (!key) {
                throw new IllegalArgumentException("the web console's keystore " + p + " holds no private key (only"
                        + " certificates); give one with the server's key and certificate");
            }
        } catch (UnrecoverableKeyException e) {
            throw new IllegalArgumentException("the web console's keystore " + p + ": its key does not open with "
                    + (keyPassword == null ? KEYSTORE_PASSWORD : KEY_PASSWORD) + of + ": wrong password");
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("the web console's keystore " + p + ": " + e);
        }
        Map<String, String> props = new LinkedHashMap<>();
        props.put(HTTPS_ENABLE, "true");
        props.put(HTTP_ENABLE, "false");
        props.put(HTTPS_PORT, Integer.toString(port(http, HTTPS_PORT)));
        props.put(KEYSTORE, p);
        props.put(KEYSTORE_TYPE, type);
        props.put(KEYSTORE_PASSWORD, sp);
        if (keyPassword != null) {
            props.put(KEY_PASSWORD, kp);
        }
        return props;
    }

    /** Whether the assembly has the web console and nobody has set its password (then one is generated). */
    static boolean needsPassword(Assembly assembly) {
        return assembly.bundles().stream().anyMatch(b -> b.id().startsWith(WEBCONSOLE))
                && !(pid(assembly, CONSOLE_PID).get("password") instanceof String p && !p.isBlank());
    }

    /**
     * Generates the console's password: {@value #GENERATED_LENGTH} characters of SecureRandom, its hash into
     * {@code localFolder/}{@value #GENERATED_CONFIG} (0600; the folder made 0700 when missing) and the password
     * itself into {@code dataDir/}{@value #INITIAL_PASSWORD} (0600, in a 0700 folder), each written to a
     * temporary file first and moved in place, the plain one first. Under an exclusive lock of
     * {@code localFolder/.console-password.lock}, so that agents starting at once generate one password:
     * one that finds the hash written already generates nothing and returns null (synchronized too: the lock
     * of a file is the process's, and a second lock of it in one JVM would throw).
     */
    static synchronized Path generatePassword(Path localFolder, Path dataDir) throws IOException {
        createPrivateDirectories(localFolder);
        Path config = localFolder.resolve(GENERATED_CONFIG);
        try (FileChannel lockFile = FileChannel.open(localFolder.resolve(".console-password.lock"),
                Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE),
                PosixFilePermissions.asFileAttribute(OWNER_FILE));
                FileLock lock = lockFile.lock()) {
            if (Files.exists(config)) {
                return null;
            }
            SecureRandom random = new SecureRandom();
            StringBuilder password = new StringBuilder();
            for (int i = 0; i < GENERATED_LENGTH; i++) {
                password.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
            }
            Path plain = dataDir.resolve(INITIAL_PASSWORD);
            createPrivateDirectories(plain.getParent());
            writePrivately(plain, password + "\n");
            try {
                writePrivately(config, Json.write(Map.of(CONSOLE_PID, Map.of("password", hash(password.toString()))))
                        + "\n");
            } catch (IOException | RuntimeException e) {
                Files.deleteIfExists(plain);
                throw e;
            }
            return plain;
        }
    }

    private static void createPrivateDirectories(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            if (dir.getParent() != null) {
                Files.createDirectories(dir.getParent());
            }
            try {
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(OWNER_DIR));
            } catch (java.nio.file.FileAlreadyExistsException raced) {
                // made by another agent meanwhile
            }
            Files.setPosixFilePermissions(dir, OWNER_DIR);
        }
    }

    /** Writes {@code text} to a 0600 temporary file beside {@code file} and moves it in place, or writes nothing. */
    private static void writePrivately(Path file, String text) throws IOException {
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp-" + ProcessHandle.current().pid());
        try {
            Files.deleteIfExists(tmp);
            try (var out = Files.newOutputStream(Files.createFile(tmp, PosixFilePermissions.asFileAttribute(OWNER_FILE)))) {
                out.write(text.getBytes(StandardCharsets.UTF_8));
            }
            try (FileChannel sync = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                sync.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** The web console's salted, iterated form of {@code password}: {sha-256}SALT-1000-BASE64. */
    static String hash(String password) {
        byte[] salt = new byte[8];
        new SecureRandom().nextBytes(salt);
        return hash(password, HexFormat.of().formatHex(salt), HASH_ITERATIONS, "sha-256");
    }

    private static String hash(String password, String salt, int iterations, String algorithm) {
        try {
            MessageDigest digest = MessageDigest.getInstance(algorithm);
            byte[] bytes = ((salt == null ? "" : salt) + password).getBytes(StandardCharsets.UTF_8);
            for (int i = 0; i < iterations; i++) {
                digest.reset();
                bytes = digest.digest(bytes);
            }
            String head = "{" + algorithm.toLowerCase(java.util.Locale.ROOT) + "}";
            if (salt == null || salt.isEmpty()) {
                return head + Base64.getEncoder().encodeToString(bytes);
            }
            return head + salt + "-" + (iterations > 1 ? iterations + "-" : "") + Base64.getEncoder().encodeToString(bytes);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalArgumentException("the web console's password hash names an unknown algorithm: " + algorithm);
        }
    }

    /** A password in the console's hashed form: {ALGORITHM}... */
    static boolean isHashed(String password) {
        return password.startsWith("{") && password.indexOf('}') > 1;
    }

    /** Whether {@code candidate} has the hash {@code stored} (the console's Password.matches). */
    static boolean hashMatches(String stored, String candidate) {
        int end = stored.indexOf('}');
        String algorithm = stored.substring(1, end);
        String rest = stored.substring(end + 1);
        String salt = null;
        int iterations = 1;
        int dash = rest.indexOf('-');
        if (dash >= 0) {
            salt = rest.substring(0, dash);
            int second = rest.indexOf('-', dash + 1);
            if (second >= 0) {
                try {
                    iterations = Integer.parseInt(rest.substring(dash + 1, second));
                } catch (NumberFormatException e) {
                    iterations = 1;
                }
            }
        }
        return hash(candidate, salt, iterations, algorithm).equals(stored);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> pid(Assembly assembly, String pid) {
        String json = assembly.frameworkProperties().get(Configurations.FRAMEWORK_PROPERTY);
        if (json == null) {
            return Map.of();
        }
        Object all = Json.parse(json);
        Object section = all instanceof Map<?, ?> m ? m.get(pid) : null;
        return section instanceof Map<?, ?> s ? (Map<String, Object>) s : Map.of();
    }
}
