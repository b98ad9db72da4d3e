package org.bosun.launcher;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** The agent's checks before it boots the web console: a password the operator set, loopback only. */
public class ConsoleSettingsTest {
    @Rule
    public final TemporaryFolder temp = new TemporaryFolder();

    /** The agent's assembly with the console and {@code configuration} as the operator's console.json (again: replaced). */
    private Assembly assembly(String configuration) throws IOException {
        Path home = temp.getRoot().toPath().resolve("home");
        Path folder = temp.getRoot().toPath().resolve("configurations.d");
        if (!Files.isDirectory(home)) {
            Files.createDirectories(home.resolve("features"));
            Files.createDirectories(home.resolve("bundles"));
            Files.createDirectories(folder);
            Files.writeString(home.resolve("bundles/org.apache.felix.webconsole-5.0.18.jar"), "");
            Files.writeString(home.resolve("features/console.json"), """
                    {"id": "x:console:osgifeature:1", "bundles": [{"id": "org.apache.felix:org.apache.felix.webconsole:5.0.18"}],
                     "configurations": {"org.apache.felix.http": {"org.apache.felix.http.host": "127.0.0.1", "org.osgi.service.http.port": 15442}},
                     "extensions": {"bosun-launch": {"kind": "mandatory", "type": "json", "json": {"commands": ["agent"]}}}}
                    """);
        }
        Files.deleteIfExists(folder.resolve("console.json"));
        if (configuration != null) {
            Files.writeString(folder.resolve("console.json"), configuration);
        }
        return Assembly.forCommand(home, "agent", List.of(folder));
    }

    @Test
    public void noPasswordIsOneLineAndNoStart() throws IOException {
        Assembly a = assembly(null);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ConsoleSettings.check(a, Path.of("/etc/bosun/configurations.d")));
        assertTrue(e.getMessage(), e.getMessage().startsWith("the web console has no password; set \"password\" of "
                + ConsoleSettings.CONSOLE_PID + " in /etc/bosun/configurations.d/console.json (mode 0600"));
        assertTrue(!e.getMessage().contains("\n"));
    }

    @Test
    public void theBuiltInDefaultIsRefused() throws IOException {
        Assembly a = assembly("{\"" + ConsoleSettings.CONSOLE_PID + "\": {\"password\": \"admin\"}}");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ConsoleSettings.check(a, Path.of("/etc/bosun/configurations.d"))).getMessage()
                .contains("well-known default"));
    }

    @Test
    public void aPasswordAndTheConfiguredPortGoToTheFrameworkProperties() throws IOException {
        Assembly a = assembly("{\"" + ConsoleSettings.CONSOLE_PID + "\": {\"password\": \"x7\"},"
                + " \"org.apache.felix.http\": {\"org.osgi.service.http.port\": 15999}}");
        assertEquals(Map.of(ConsoleSettings.HOST, "127.0.0.1", ConsoleSettings.PORT, "15999",
                "felix.webconsole.password", "x7"), ConsoleSettings.check(a, Path.of("/etc/bosun/configurations.d")));
    }

    @Test
    public void theConsolesUserRealmAndRootAreItsDefaultsFromTheStart() throws IOException {
        Assembly a = assembly("{\"" + ConsoleSettings.CONSOLE_PID + "\": {\"password\": \"x7\", \"username\": \"ops\","
                + " \"realm\": \"node 4\", \"manager.root\": \"/console\", \"category\": \"Bosun\"}}");
        Map<String, String> props = ConsoleSettings.check(a, Path.of("/etc/bosun/configurations.d"));
        assertEquals("ops", props.get("felix.webconsole.username"));
        assertEquals("x7", props.get("felix.webconsole.password"));
        assertEquals("node 4", props.get("felix.webconsole.realm"));
        assertEquals("/console", props.get("felix.webconsole.manager.root"));
        assertEquals("a setting the console reads from Configuration Admin only stays there", 6, props.size());
    }

    @Test
    public void aNonLoopbackAddressIsRefusedWithoutTls() throws IOException {
        Assembly a = assembly("{\"" + ConsoleSettings.CONSOLE_PID + "\": {\"password\": \"x7\"},"
                + " \"org.apache.felix.http\": {\"org.apache.felix.http.host\": \"0.0.0.0\"}}");
        String m = assertThrows(IllegalArgumentException.class, () -> ConsoleSettings.check(a, Path.of("/etc/bosun/configurations.d"))).getMessage();
        assertEquals("the web console's address 0.0.0.0 (org.apache.felix.http.host of org.apache.felix.http) is not a"
                + " loopback address, and the console serves other addresses only with TLS: set org.apache.felix.https.enable"
                + " and a keystore (see docs/console.md)", m);
    }

    // --- the generated password

    /** The web console's own check of a password against its configured (hashed) form. */
    static boolean consoleAccepts(String configured, String password) throws Exception {
        Class<?> c = Class.forName("org.apache.felix.webconsole.internal.servlet.Password");
        var ctor = c.getDeclaredConstructor(String.class);
        ctor.setAccessible(true);
        Object p = ctor.newInstance(configured);
        var matches = c.getDeclaredMethod("matches", byte[].class);
        matches.setAccessible(true);
        return (Boolean) matches.invoke(p, (Object) password.getBytes(StandardCharsets.UTF_8));
    }

    static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    @Test
    public void aGeneratedPasswordIsKeptAsItsHashAndOnceInAFileOfItsOwn() throws Exception {
        Assembly a = assembly(null);
        assertTrue(ConsoleSettings.needsPassword(a));
        Path folder = temp.getRoot().toPath().resolve("etc/configurations.d");
        Path data = temp.getRoot().toPath().resolve("data");
        Path plain = ConsoleSettings.generatePassword(folder, data);
        assertEquals(data.resolve("console/initial-admin-password"), plain);
        assertEquals("rw-------", mode(plain));
        assertEquals("rwx------", mode(plain.getParent()));
        assertEquals("rwx------", mode(folder));
        String password = Files.readString(plain).strip();
        assertTrue(password, password.matches("[A-Za-z0-9]{24}"));
        Path config = folder.resolve("console-password.json");
        assertEquals("rw-------", mode(config));
        String json = Files.readString(config);
        assertTrue(json, !json.contains(password));
        @SuppressWarnings("unchecked")
        String hash = (String) ((Map<String, Object>) ((Map<String, Object>) Json.parse(json)).get(ConsoleSettings.CONSOLE_PID)).get("password");
        assertTrue(hash, hash.matches("\\{sha-256\\}[0-9a-f]{16}-1000-[A-Za-z0-9+/]{43}="));
        assertTrue("the web console 5.0.18 takes the password for its hash", consoleAccepts(hash, password));
        assertTrue("and no other", !consoleAccepts(hash, "admin") && !consoleAccepts(hash, password.substring(1)));
        assertEquals("no temporary files left", List.of("console-password.json", ".console-password.lock"),
                Files.list(folder).map(f -> f.getFileName().toString()).sorted(java.util.Comparator.reverseOrder()).toList());
        // The agent reads it as the operator's configuration from then on.
        Assembly again = Assembly.forCommand(temp.getRoot().toPath().resolve("home"), "agent", List.of(folder));
        assertTrue(!ConsoleSettings.needsPassword(again));
        assertEquals(hash, ConsoleSettings.check(again, folder).get("felix.webconsole.password"));
        // Not generated again: the hash and the file stay as they are.
        assertEquals(null, ConsoleSettings.generatePassword(folder, data));
        assertEquals(json, Files.readString(config));
        assertEquals(password, Files.readString(plain).strip());
    }

    @Test
    public void agentsStartingAtOnceGenerateOnePassword() throws Exception {
        Path folder = temp.getRoot().toPath().resolve("etc/configurations.d");
        Path data = temp.getRoot().toPath().resolve("data");
        var pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        try {
            List<java.util.concurrent.Future<Path>> all = new java.util.ArrayList<>();
            for (int i = 0; i < 8; i++) {
                all.add(pool.submit(() -> ConsoleSettings.generatePassword(folder, data)));
            }
            int generated = 0;
            for (var f : all) {
                generated += f.get() == null ? 0 : 1;
            }
            assertEquals(1, generated);
        } finally {
            pool.shutdownNow();
        }
        String json = Files.readString(folder.resolve("console-password.json"));
        assertTrue(consoleAccepts(json.replaceAll(".*\"password\":\"([^\"]+)\".*\\s*", "$1"),
                Files.readString(data.resolve("console/initial-admin-password")).strip()));
    }

    /** A process of its own that generates once the file {@code args[2]} exists: prints "generated" or "found". */
    public static final class Generate {
        public static void main(String[] args) throws Exception {
            Path go = Path.of(args[2]);
            while (!Files.exists(go)) {
                Thread.sleep(1);
            }
            System.out.println(ConsoleSettings.generatePassword(Path.of(args[0]), Path.of(args[1])) == null ? "found" : "generated");
        }
    }

    @Test
    public void agentProcessesStartingAtOnceGenerateOnePassword() throws Exception {
        // The file lock is the process's: separate JVMs, released together, race for it.
        Path folder = temp.getRoot().toPath().resolve("etc/configurations.d");
        Path data = temp.getRoot().toPath().resolve("data");
        Path go = temp.getRoot().toPath().resolve("go");
        List<Process> all = new java.util.ArrayList<>();
        for (int i = 0; i < 4; i++) {
            all.add(new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xshare:auto",
                    "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), Generate.class.getName(),
                    folder.toString(), data.toString(), go.toString()).redirectErrorStream(true).start());
        }
        Thread.sleep(1500);
        Files.writeString(go, "");
        List<String> outcomes = new java.util.ArrayList<>();
        for (Process p : all) {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            assertEquals(out, 0, p.waitFor());
            outcomes.add(out);
        }
        assertEquals(outcomes.toString(), 1, outcomes.stream().filter("generated"::equals).count());
        assertEquals(outcomes.toString(), 3, outcomes.stream().filter("found"::equals).count());
        String json = Files.readString(folder.resolve("console-password.json"));
        assertTrue(consoleAccepts(json.replaceAll(".*\"password\":\"([^\"]+)\".*\\s*", "$1"),
                Files.readString(data.resolve("console/initial-admin-password")).strip()));
    }

    @Test
    public void aFailedWriteKeepsNothing() throws Exception {
        Path folder = temp.getRoot().toPath().resolve("etc/configurations.d");
        Path data = temp.getRoot().toPath().resolve("data");
        // The hash's temporary file cannot be made: a non-empty directory is in its place.
        Path blocker = Files.createDirectories(folder.resolve(".console-password.json.tmp-" + ProcessHandle.current().pid()));
        Files.writeString(blocker.resolve("x"), "");
        assertThrows(IOException.class, () -> ConsoleSettings.generatePassword(folder, data));
        assertTrue("no hash", !Files.exists(folder.resolve("console-password.json")));
        assertTrue("no password file", !Files.exists(data.resolve("console/initial-admin-password")));
        // The data directory cannot be made (a file is in its way): nothing is written either.
        Files.delete(blocker.resolve("x"));
        Files.delete(blocker);
        Path file = Files.writeString(temp.getRoot().toPath().resolve("plain-file"), "");
        assertThrows(IOException.class, () -> ConsoleSettings.generatePassword(folder, file));
        assertTrue("no hash", !Files.exists(folder.resolve("console-password.json")));
    }

    @Test
    public void theOperatorsPasswordWinsPlainOrHashed() throws Exception {
        Assembly plain = assembly("{\"" + ConsoleSettings.CONSOLE_PID + "\": {\"password\": \"x7\"}}");
        assertTrue(!ConsoleSettings.needsPassword(plain));
        String hash = ConsoleSettings.hash("operator's");
        assertTrue(consoleAccepts(hash, "operator's"));
        Assembly hashed = assembly("{\"" + ConsoleSettings.CONSOLE_PID + "\": {\"password\": \"" + hash + "\"}}");
        assertTrue(!ConsoleSettings.needsPassword(hashed));
        assertEquals(hash, ConsoleSettings.check(hashed, Path.of("/etc/bosun/configurations.d")).get("felix.webconsole.password"));
    }

    @Test
    public void theBuiltInDefaultIsRefusedHashedToo() throws Exception {
        Assembly a = assembly("{\"" + ConsoleSettings.CONSOLE_PID + "\": {\"password\": \"" + ConsoleSettings.hash("admin") + "\"}}");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ConsoleSettings.check(a, Path.of("/etc/bosun/configurations.d"))).getMessage()
                .contains("well-known default"));
    }

    // --- TLS

    /** A keystore made by the JDK's keytool: a self-signed key for 127.0.0.1. */
    Path keystore(String type, String storePassword, String keyPassword) throws Exception {
        Path file = temp.getRoot().toPath().resolve("console-" + type + "-" + System.nanoTime() + "." + type.toLowerCase());
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(), "-genkeypair",
                "-keystore", file.toString(), "-storetype", type, "-storepass", storePassword, "-keypass", keyPassword,
                "-alias", "console", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=127.0.0.1",
                "-ext", "SAN=ip:127.0.0.1", "-validity", "2").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(out, 0, p.waitFor());
        return file;
    }

    private String tls(String host, Path store, String more) {
        return "{\"" + ConsoleSettings.CONSOLE_PID + "\": {\"password\": \"x7\"},"
                + " \"org.apache.felix.http\": {\"org.apache.felix.http.host\": \"" + host + "\","
                + " \"org.apache.felix.https.enable\": true, \"org.apache.felix.https.keystore\": \"" + store + "\"" + more + "}}";
    }

    private String refusal(String configuration) throws IOException {
        Assembly a = assembly(configuration);
        String m = assertThrows(IllegalArgumentException.class, () -> ConsoleSettings.check(a, Path.of("/etc/bosun/configurations.d"))).getMessage();
        assertTrue(m, !m.contains("\n"));
        return m;
    }

    @Test
    public void withTlsTheConsoleServesHttpsOnlyOnAnyAddress() throws Exception {
        Path store = keystore("PKCS12", "store-pw", "store-pw");
        Assembly a = assembly(tls("0.0.0.0", store, ", \"org.apache.felix.https.keystore.password\": \"store-pw\","
                + " \"org.osgi.service.http.port.secure\": 15443"));
        Map<String, String> props = ConsoleSettings.check(a, Path.of("/etc/bosun/configurations.d"));
        assertEquals("0.0.0.0", props.get(ConsoleSettings.HOST));
        assertEquals("true", props.get(ConsoleSettings.HTTPS_ENABLE));
        assertEquals("false", props.get(ConsoleSettings.HTTP_ENABLE));
        assertEquals("15443", props.get(ConsoleSettings.HTTPS_PORT));
        assertEquals(store.toString(), props.get(ConsoleSettings.KEYSTORE));
        assertEquals("PKCS12", props.get(ConsoleSettings.KEYSTORE_TYPE));
        assertEquals("store-pw", props.get(ConsoleSettings.KEYSTORE_PASSWORD));
    }

    @Test
    public void aBadKeystoreIsOneLine() throws Exception {
        Path store = keystore("PKCS12", "store-pw", "store-pw");
        String pw = ", \"org.apache.felix.https.keystore.password\": \"store-pw\"";
        assertEquals("the web console's keystore " + store + " does not open with its password"
                + " (org.apache.felix.https.keystore.password of org.apache.felix.http): wrong password",
                refusal(tls("127.0.0.1", store, ", \"org.apache.felix.https.keystore.password\": \"other\"")));
        Path missing = store.resolveSibling("missing.p12");
        assertEquals("the web console's keystore " + missing + " (org.apache.felix.https.keystore of org.apache.felix.http)"
                + " does not exist", refusal(tls("127.0.0.1", missing, pw)));
        Path garbage = Files.write(store.resolveSibling("garbage.p12"), new byte[] {1, 2, 3, 4, 5});
        assertTrue(refusal(tls("127.0.0.1", garbage, pw)).startsWith("the web console's keystore " + garbage
                + " cannot be read as PKCS12 (org.apache.felix.https.keystore.type of org.apache.felix.http): "));
        assertTrue(refusal(tls("127.0.0.1", store, "")).startsWith("the web console's keystore " + store + " has no password"));
        assertTrue(refusal(tls("127.0.0.1", Path.of("relative.p12"), pw)).startsWith("the web console's TLS needs a keystore"));
        assertEquals("the web console's keystore type 'PEM' (org.apache.felix.https.keystore.type of org.apache.felix.http)"
                + " is not PKCS12 or JKS", refusal(tls("127.0.0.1", store, pw + ", \"org.apache.felix.https.keystore.type\": \"PEM\"")));
        assertTrue(refusal(tls("127.0.0.1", store, pw + ", \"org.apache.felix.http.enable\": true"))
                .startsWith("the web console serves HTTPS only"));
        assertTrue(refusal(tls("127.0.0.1", store, pw + ", \"org.osgi.service.http.port.secure\": 0"))
                .contains("is not a port number"));
    }

    @Test
    public void aJksKeyWithItsOwnPassword() throws Exception {
        Path store = keystore("JKS", "store-pw", "key-pw");
        String pw = ", \"org.apache.felix.https.keystore.password\": \"store-pw\", \"org.apache.felix.https.keystore.type\": \"jks\"";
        assertEquals("the web console's keystore " + store + ": its key does not open with"
                + " org.apache.felix.https.keystore.password of org.apache.felix.http: wrong password",
                refusal(tls("127.0.0.1", store, pw)));
        Assembly a = assembly(tls("127.0.0.1", store, pw + ", \"org.apache.felix.https.keystore.key.password\": \"key-pw\""));
        Map<String, String> props = ConsoleSettings.check(a, Path.of("/etc/bosun/configurations.d"));
        assertEquals("JKS", props.get(ConsoleSettings.KEYSTORE_TYPE));
        assertEquals("key-pw", props.get(ConsoleSettings.KEY_PASSWORD));
    }

    @Test
    public void aBadPortIsNamed() throws IOException {
        Assembly a = assembly("{\"" + ConsoleSettings.CONSOLE_PID + "\": {\"password\": \"x7\"},"
                + " \"org.apache.felix.http\": {\"org.osgi.service.http.port\": 70000}}");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ConsoleSettings.check(a, Path.of("/etc/bosun/configurations.d"))).getMessage()
                .contains("is not a port number"));
    }
}
