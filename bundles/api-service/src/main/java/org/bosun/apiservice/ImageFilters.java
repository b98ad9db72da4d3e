package org.bosun.apiservice;

import java.util.Map;

import org.bosun.api.image.StoredImage;
import org.bosun.apiservice.v1alpha.ImageFilter;
import org.bosun.apiservice.v1alpha.KeyValue;

/**
 * rkt's image filter: ids, prefixes, base names, keywords and full names are each alternatives;
 * labels and annotations are all required; the import times bound.
 */
final class ImageFilters {
    private ImageFilters() {
    }

    static boolean matches(ImageFilter f, StoredImage s) {
        String name = baseName(s);
        if (f.getIdsCount() > 0 && f.getIdsList().stream().noneMatch(id -> !id.isEmpty() && s.id().startsWith(id))) {
            return false;
        }
        if (f.getPrefixesCount() > 0 && f.getPrefixesList().stream().noneMatch(name::startsWith)) {
            return false;
        }
        if (f.getBaseNamesCount() > 0) {
            String last = name.substring(name.lastIndexOf('/') + 1);
            if (!f.getBaseNamesList().contains(last)) {
                return false;
            }
        }
        if (f.getKeywordsCount() > 0 && f.getKeywordsList().stream().noneMatch(name::contains)) {
            return false;
        }
        if (f.getFullNamesCount() > 0) {
            String version = version(s);
            String full = version.isEmpty() ? name : name + ":" + version;
            if (f.getFullNamesList().stream().noneMatch(n -> n.equals(name) || n.equals(full) || n.equals(s.name()))) {
                return false;
            }
        }
        Map<String, String> labels = s.manifest() == null ? Map.of() : s.manifest().labels();
        Map<String, String> annotations = s.manifest() == null ? Map.of() : s.manifest().annotations();
        for (KeyValue kv : f.getLabelsList()) {
            if (!kv.getValue().equals(labels.get(kv.getKey()))) {
                return false;
            }
        }
        for (KeyValue kv : f.getAnnotationsList()) {
            if (!kv.getValue().equals(annotations.get(kv.getKey()))) {
                return false;
            }
        }
        long imported = s.importTime() == null ? 0 : s.importTime().getEpochSecond();
        if (f.getImportedAfter() > 0 && imported <= f.getImportedAfter()) {
            return false;
        }
        return f.getImportedBefore() <= 0 || imported < f.getImportedBefore();
    }

    /** The image's name without its tag: the manifest's name, else the stored one. */
    static String baseName(StoredImage s) {
        String name = s.manifest() != null && s.manifest().name() != null && !s.manifest().name().isEmpty()
                ? s.manifest().name() : s.name() == null ? "" : s.name();
        int slash = name.lastIndexOf('/');
        int colon = name.indexOf(':', slash + 1);
        return colon >= 0 ? name.substring(0, colon) : name;
    }

    /** The appc version label, else the tag of the stored name. */
    static String version(StoredImage s) {
        if (s.manifest() != null && s.manifest().labels().get("version") != null) {
            return s.manifest().labels().get("version");
        }
        String name = s.name() == null ? "" : s.name();
        int slash = name.lastIndexOf('/');
        int colon = name.indexOf(':', slash + 1);
        return colon >= 0 ? name.substring(colon + 1) : "";
    }
}
