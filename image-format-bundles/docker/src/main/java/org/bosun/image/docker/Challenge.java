package org.bosun.image.docker;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code WWW-Authenticate} challenge of a registry (RFC 7235): {@code Basic realm="x"} or
 * {@code Bearer realm="https://auth/token",service="registry",scope="repository:a/b:pull"}.
 *
 * @param scheme {@code basic} or {@code bearer}, lower case
 * @param parameters the auth-params, names in lower case
 */
record Challenge(String scheme, Map<String, String> parameters) {
    private static final Pattern PARAM = Pattern.compile("\\s*([A-Za-z0-9_-]+)\\s*=\\s*(?:\"((?:[^\"\\\\]|\\\\.)*)\"|([^,\\s]*))\\s*,?");

    static Challenge parse(String header) {
        if (header == null || header.isBlank()) {
            return null;
        }
        String h = header.trim();
        int space = h.indexOf(' ');
        String scheme = (space < 0 ? h : h.substring(0, space)).toLowerCase(Locale.ROOT);
        Map<String, String> params = new LinkedHashMap<>();
        if (space > 0) {
            Matcher m = PARAM.matcher(h.substring(space + 1));
            while (m.find()) {
                String value = m.group(2) != null ? m.group(2).replaceAll("\\\\(.)", "$1") : m.group(3);
                params.put(m.group(1).toLowerCase(Locale.ROOT), value);
            }
        }
        return new Challenge(scheme, params);
    }

    String get(String name) {
        return parameters.get(name);
    }
}
