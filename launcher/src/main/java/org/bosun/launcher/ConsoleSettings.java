package org.bosun.launcher;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The checks the agent makes before it boots a feature with the Felix web console: the console is root's
 * view of the node, so it never starts with the console's built-in admin/admin, only with a password the
 * operator has set in {@code configurations.d}, and only on a loopback address (there is no TLS yet). The
 * HTTP server's address and port go into the framework properties too, so that Jetty binds them from its
 * first start, before Configuration Admin hands it its configuration.
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
        if (p.equals("admin")) {
            throw new IllegalArgumentException("the web console's password is the well-known default 'admin'; set"
                    + " another in " + where + " (see docs/console.md)");
        }
        Map<String, Object> http = pid(assembly, HTTP_PID);
        String host = String.valueOf(http.getOrDefault(HOST, "127.0.0.1"));
        try {
            if (!InetAddress.getByName(host).isLoopbackAddress()) {
                throw new IllegalArgumentException("the web console's address " + host + " (" + HOST + " of "
                        + HTTP_PID + ") is not a loopback address; not implemented: the console without TLS serves"
                        + " loopback only");
            }
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("the web console's address '" + host + "' (" + HOST + " of " + HTTP_PID
                    + ") does not resolve; give an IP address such as 127.0.0.1");
        }
        Object port = http.getOrDefault(PORT, 15442);
        int number;
        try {
            number = port instanceof Number n ? n.intValue() : Integer.parseInt(String.valueOf(port));
        } catch (NumberFormatException e) {
            number = -1;
        }
        if (number < 1 || number > 65535) {
            throw new IllegalArgumentException("the web console's port '" + port + "' (" + PORT + " of " + HTTP_PID
                    + ") is not a port number 1-65535");
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
