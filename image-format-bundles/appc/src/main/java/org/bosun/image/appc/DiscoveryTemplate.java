package org.bosun.image.appc;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An {@code ac-discovery} URL template such as
 * {@code https://storage.example.com/{os}/{arch}/{name}-{version}.{ext}}, filled as the appc spec
 * says: {@code {name}} and {@code {ext}} always, every other {@code {label}} from the labels the
 * client asks for. Among several templates only the best ones count: those whose every placeholder
 * can be filled, with the most labels filled.
 */
final class DiscoveryTemplate {
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([^{}]*)\\}");

    private final String template;

    DiscoveryTemplate(String template) {
        this.template = template;
    }

    /** How many labels it fills from {@code labels}, or -1 when a placeholder has no value. */
    int labelsFilled(Map<String, String> labels) {
        int filled = 0;
        Matcher m = PLACEHOLDER.matcher(template);
        while (m.find()) {
            String key = m.group(1);
            if (key.equals("name") || key.equals("ext")) {
                continue;
            }
            if (!labels.containsKey(key)) {
                return -1;
            }
            filled++;
        }
        return filled;
    }

    /** The URL for {@code ext} ({@code aci} or {@code aci.asc}); every placeholder must have a value. */
    String fill(String name, Map<String, String> labels, String ext) {
        Matcher m = PLACEHOLDER.matcher(template);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String key = m.group(1);
            String value = switch (key) {
                case "name" -> name;
                case "ext" -> ext;
                default -> labels.get(key);
            };
            if (value == null) {
                throw new IllegalArgumentException("no value for {" + key + "} in " + template);
            }
            m.appendReplacement(sb, Matcher.quoteReplacement(value));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    /** The best matching templates among {@code templates}, in their order; empty when none can be filled. */
    static List<DiscoveryTemplate> best(List<String> templates, Map<String, String> labels) {
        List<DiscoveryTemplate> best = new ArrayList<>();
        int most = -1;
        for (String t : templates) {
            DiscoveryTemplate template = new DiscoveryTemplate(t);
            int filled = template.labelsFilled(labels);
            if (filled < 0 || filled < most) {
                continue;
            }
            if (filled > most) {
                best.clear();
                most = filled;
            }
            best.add(template);
        }
        return best;
    }

    @Override
    public String toString() {
        return template;
    }
}
