package org.bosun.configurator;

import java.io.IOException;
import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

/**
 * Puts the platform's configurations into Configuration Admin when this bundle starts. The launcher
 * hands them over in the framework property {@value #PROPERTY}: a JSON object keyed by PID, as a
 * feature's {@code configurations} section (OSGi Feature Service spec), already merged from the
 * feature and the operator's {@code configurations.d} folders and checked. A PID of the form
 * {@code factory~name} is a named factory configuration.
 *
 * <p>This bundle starts after Configuration Admin and before every bundle with components, so a
 * component gets its configuration at its first activation: the agent's socket, for one, must
 * never be bound first at its default path. Configuration Admin keeps them in memory only
 * ({@code felix.cm.pm=memory}), so each platform start has exactly what its sources say now.
 */
public final class InitialConfigurations implements BundleActivator {
    static final String PROPERTY = "bosun.configurations";

    @Override
    public void start(BundleContext context) throws Exception {
        String json = context.getProperty(PROPERTY);
        if (json == null || json.isBlank()) {
            return;
        }
        Map<String, Dictionary<String, Object>> configurations = parse(json);
        ServiceReference<ConfigurationAdmin> ref = context.getServiceReference(ConfigurationAdmin.class);
        if (ref == null) {
            throw new BundleException(PROPERTY + " names " + configurations.size() + " configurations but no"
                    + " Configuration Admin is running; the feature must start org.apache.felix.configadmin before "
                    + context.getBundle().getSymbolicName());
        }
        ConfigurationAdmin admin = context.getService(ref);
        try {
            for (Map.Entry<String, Dictionary<String, Object>> e : configurations.entrySet()) {
                configuration(admin, e.getKey()).update(e.getValue());
            }
        } finally {
            context.ungetService(ref);
        }
    }

    @Override
    public void stop(BundleContext context) {
        // Configuration Admin keeps them for the framework's life; nothing of this bundle's to release.
    }

    /** "?" binds the configuration to no one bundle, so an updated component bundle still gets it. */
    private static Configuration configuration(ConfigurationAdmin admin, String pid) throws IOException {
        int tilde = pid.indexOf('~');
        if (tilde > 0) {
            return admin.getFactoryConfiguration(pid.substring(0, tilde), pid.substring(tilde + 1), "?");
        }
        return admin.getConfiguration(pid, "?");
    }

    /**
     * The configurations of {@code json}, each a dictionary of Configuration Admin's value types.
     * Read with jackson's streaming parser: the object mapper would cost a command's start-up more.
     */
    static Map<String, Dictionary<String, Object>> parse(String json) throws IOException {
        Map<String, Dictionary<String, Object>> result = new LinkedHashMap<>();
        try (JsonParser parser = new JsonFactory().createParser(json)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException(PROPERTY + " is not a JSON object keyed by PID");
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String pid = parser.currentName();
                if (parser.nextToken() != JsonToken.START_OBJECT) {
                    throw new IllegalArgumentException(PROPERTY + ": configuration " + pid + " is not an object");
                }
                Dictionary<String, Object> properties = new Hashtable<>();
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String key = parser.currentName();
                    properties.put(key, value(parser, parser.nextToken(), pid + "/" + key));
                }
                result.put(pid, properties);
            }
        }
        return result;
    }

    /** Strings, Longs, Doubles, Booleans and arrays of one of them: what Configuration Admin stores. */
    private static Object value(JsonParser parser, JsonToken token, String where) throws IOException {
        if (token != JsonToken.START_ARRAY) {
            return scalar(parser, token, where);
        }
        List<Object> items = new ArrayList<>();
        for (JsonToken t = parser.nextToken(); t != JsonToken.END_ARRAY; t = parser.nextToken()) {
            items.add(scalar(parser, t, where));
        }
        Class<?> type = items.isEmpty() ? String.class : items.get(0).getClass();
        Object array = Array.newInstance(type, items.size());
        for (int i = 0; i < items.size(); i++) {
            if (items.get(i).getClass() != type) {
                throw new IllegalArgumentException(PROPERTY + ": " + where + " mixes value types in one list");
            }
            Array.set(array, i, items.get(i));
        }
        return array;
    }

    private static Object scalar(JsonParser parser, JsonToken token, String where) throws IOException {
        switch (token) {
            case VALUE_STRING:
                return parser.getText();
            case VALUE_TRUE:
            case VALUE_FALSE:
                return parser.getBooleanValue();
            case VALUE_NUMBER_INT:
                return parser.getLongValue();
            case VALUE_NUMBER_FLOAT:
                return parser.getDoubleValue();
            default:
                throw new IllegalArgumentException(PROPERTY + ": " + where + " is " + token
                        + ", not a string, number, boolean or a list of one of them");
        }
    }
}
