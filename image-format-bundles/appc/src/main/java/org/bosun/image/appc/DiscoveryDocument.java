package org.bosun.image.appc;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code <meta>} tags of an appc discovery page (appc spec, "Image Discovery"):
 * {@code <meta name="ac-discovery" content="PREFIX URL-TEMPLATE">} and
 * {@code <meta name="ac-discovery-pubkeys" content="PREFIX URL">}. The page is untrusted HTML, so
 * it is scanned for meta tags only, never interpreted; tags with a content that is not two words
 * are skipped, as a browser would ignore them.
 */
final class DiscoveryDocument {
    static final String IMAGES = "ac-discovery";
    static final String PUBKEYS = "ac-discovery-pubkeys";

    private static final Pattern META = Pattern.compile("<meta\\b([^>]*)>", Pattern.CASE_INSENSITIVE);
    private static final Pattern ATTRIBUTE = Pattern.compile(
            "([a-zA-Z_:][-a-zA-Z0-9_:.]*)\\s*=\\s*(?:\"([^\"]*)\"|'([^']*)'|([^\\s\"'>/]+))");

    /**
     * One announcement.
     *
     * @param prefix the image names it covers: those starting with it
     * @param location an image URL template ({@link #IMAGES}) or a key URL ({@link #PUBKEYS})
     */
    record Entry(String prefix, String location) {
        boolean covers(String name) {
            return name.startsWith(prefix);
        }
    }

    private final List<Entry> images;
    private final List<Entry> pubkeys;

    private DiscoveryDocument(List<Entry> images, List<Entry> pubkeys) {
        this.images = List.copyOf(images);
        this.pubkeys = List.copyOf(pubkeys);
    }

    static DiscoveryDocument parse(String html) {
        List<Entry> images = new ArrayList<>();
        List<Entry> pubkeys = new ArrayList<>();
        Matcher meta = META.matcher(html);
        while (meta.find()) {
            Map<String, String> attributes = attributes(meta.group(1));
            String name = attributes.getOrDefault("name", "");
            String[] content = attributes.getOrDefault("content", "").trim().split("\\s+");
            if (content.length != 2) {
                continue;
            }
            Entry entry = new Entry(content[0], content[1]);
            if (name.equals(IMAGES)) {
                images.add(entry);
            } else if (name.equals(PUBKEYS)) {
                pubkeys.add(entry);
            }
        }
        return new DiscoveryDocument(images, pubkeys);
    }

    private static Map<String, String> attributes(String text) {
        Map<String, String> attributes = new LinkedHashMap<>();
        Matcher m = ATTRIBUTE.matcher(text);
        while (m.find()) {
            String value = m.group(2) != null ? m.group(2) : m.group(3) != null ? m.group(3) : m.group(4);
            attributes.putIfAbsent(m.group(1).toLowerCase(Locale.ROOT), unescape(value));
        }
        return attributes;
    }

    /** The few entities a URL in an attribute may carry. */
    private static String unescape(String value) {
        return value.replace("&quot;", "\"").replace("&#39;", "'").replace("&lt;", "<").replace("&gt;", ">")
                .replace("&amp;", "&");
    }

    /** The image URL templates announced for {@code name}, in page order. */
    List<String> templatesFor(String name) {
        return images.stream().filter(e -> e.covers(name)).map(Entry::location).toList();
    }

    /** The key URLs announced for {@code name}, in page order. */
    List<String> pubkeysFor(String name) {
        return pubkeys.stream().filter(e -> e.covers(name)).map(Entry::location).toList();
    }
}
