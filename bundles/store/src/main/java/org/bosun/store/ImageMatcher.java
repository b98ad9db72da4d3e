package org.bosun.store;

import java.util.Comparator;
import java.util.List;

import org.bosun.api.BosunException;
import org.bosun.api.image.StoredImage;

/**
 * How users name a stored image, tried in this order: its id; a unique prefix of its id (with or
 * without {@code sha512-}/{@code sha256:}); a fetch reference it was stored under; its name (the
 * newest image of that name); {@code name:tag}, where the tag is the appc version label or the
 * tag of a reference.
 */
final class ImageMatcher {
    private static final int MIN_PREFIX = 4;

    private ImageMatcher() {
    }

    static StoredImage match(List<StoredImage> images, String query) {
        if (query == null || query.isBlank()) {
            throw BosunException.invalid("empty image name; give an image id, a unique id prefix or a name");
        }
        for (StoredImage i : images) {
            if (i.id().equals(query)) {
                return i;
            }
        }
        StoredImage byPrefix = byIdPrefix(images, query);
        if (byPrefix != null) {
            return byPrefix;
        }
        for (StoredImage i : images) {
            if (i.references().contains(query)) {
                return i;
            }
        }
        StoredImage named = newest(images.stream().filter(i -> i.name().equals(query)).toList());
        if (named != null) {
            return named;
        }
        int colon = query.lastIndexOf(':');
        if (colon > 0 && !query.substring(colon + 1).contains("/")) {
            String name = query.substring(0, colon);
            String tag = query.substring(colon + 1);
            return newest(images.stream().filter(i -> i.name().equals(name) && (tag.equals(
                    i.manifest().labels().get("version")) || i.references().stream().anyMatch(r -> r.endsWith(":" + tag)
                            && r.substring(0, r.length() - tag.length() - 1).endsWith(name)))).toList());
        }
        return null;
    }

    private static StoredImage byIdPrefix(List<StoredImage> images, String query) {
        String hex = query.replaceFirst("^(sha512-|sha256:|sha256-)", "");
        if (!hex.equals(query) && hex.matches("[0-9a-f]*") && hex.length() < MIN_PREFIX) {
            // Written as an id, so no name can match it: saying "not in the store" would mislead.
            throw BosunException.invalid("image id prefix " + query + " is too short; give at least " + MIN_PREFIX
                    + " hex digits of the id (see bosun image list)");
        }
        if (hex.length() < MIN_PREFIX || !hex.matches("[0-9a-f]+")) {
            return null;
        }
        String algorithm = query.startsWith("sha512") ? "sha512" : query.startsWith("sha256") ? "sha256" : null;
        List<StoredImage> found = images.stream().filter(i -> {
            Digests.Digest d = Digests.parse(i.id());
            return (algorithm == null || d.algorithm().equals(algorithm)) && d.hex().startsWith(hex);
        }).toList();
        if (found.size() > 1) {
            throw BosunException.invalid("image id prefix " + query + " is ambiguous (" + found.size()
                    + " images); give more of the id");
        }
        return found.isEmpty() ? null : found.get(0);
    }

    private static StoredImage newest(List<StoredImage> candidates) {
        return candidates.stream().max(Comparator.comparing(StoredImage::importTime,
                Comparator.nullsFirst(Comparator.naturalOrder()))).orElse(null);
    }
}
