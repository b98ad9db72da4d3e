package org.bosun.core;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.bosun.api.BosunException;
import org.bosun.api.image.ImageManifest;
import org.bosun.api.pod.AppRequest;
import org.bosun.api.pod.Resources;
import org.bosun.api.stage1.PodDirectory;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The per-app settings beyond the command line of the appc app that bosun records in the pod
 * manifest, in appc's own terms: {@code supplementaryGIDs}, the isolators {@code resource/memory}
 * ({@code {"limit": "BYTES"}}), {@code resource/cpu} ({@code {"limit": "MILLISm"}}),
 * {@code os/linux/cpu-shares} and {@code os/linux/oom-score-adj} (numbers), and the
 * {@code eventHandlers}; and back from the manifest into the engine's {@link PodDirectory.App}. An
 * image's own resource isolators apply where no flag sets the resource.
 */
final class AppIsolators {
    static final String MEMORY = "resource/memory";
    static final String CPU = "resource/cpu";
    static final String CPU_SHARES = "os/linux/cpu-shares";
    static final String OOM_SCORE_ADJ = "os/linux/oom-score-adj";
    static final Set<String> EVENTS = Set.of("pre-start", "post-stop");
    private static final ObjectMapper JSON = new ObjectMapper();
    /** A Kubernetes quantity, as appc's resource isolators write them: 25Mi, 1G, 0.5, 500m, 1e3. */
    private static final Pattern QUANTITY = Pattern.compile(
            "([0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(?:([eE][+-]?[0-9]+)|(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei))?");

    private AppIsolators() {
    }

    /** {@code --supplementary-gids}, which replaces the image's groups as in rkt; else the image's; each once. */
    static List<Integer> supplementaryGids(ImageManifest image, AppRequest app) {
        List<Integer> given = app.settings().supplementaryGids();
        Set<Integer> gids = new LinkedHashSet<>(given.isEmpty() ? image.supplementaryGids() : given);
        return gids.isEmpty() ? null : new ArrayList<>(gids);
    }

    /**
     * The app's resources: each one a flag sets, else the image's own isolator (appc
     * {@code resource/memory} and {@code resource/cpu} limits, {@code os/linux/cpu-shares},
     * {@code os/linux/oom-score-adj}), as rkt applied them. The image's security isolators are the
     * security modules' (see PodSecurity).
     */
    static Resources withImages(Resources flags, ImageManifest image, String app) {
        Long memory = flags.memoryBytes();
        Long cpu = flags.cpuMillis();
        Long shares = flags.cpuShares();
        Integer oom = flags.oomScoreAdj();
        for (ImageManifest.Isolator i : image.isolators()) {
            String where = "isolator " + i.name() + " of image " + image.name() + " (app " + app + ")";
            switch (i.name()) {
                case MEMORY -> memory = memory != null ? memory : imageMemory(imageLimit(i, where), where);
                case CPU -> cpu = cpu != null ? cpu : imageCpu(imageLimit(i, where), where);
                case CPU_SHARES -> shares = shares != null ? shares : imageNumber(i, where, "--cpu-shares");
                case OOM_SCORE_ADJ -> oom = oom != null ? oom
                        : (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, imageNumber(i, where, "--oom-score-adj")));
                default -> {
                    // the security modules' isolators, or another runtime's
                }
            }
        }
        return new Resources(memory, cpu, shares, oom);
    }

    private static BigDecimal quantity(String text, String where, String flag) {
        Matcher m = QUANTITY.matcher(text);
        if (!m.matches()) {
            throw BosunException.invalid(where + ": '" + text + "' is not a quantity like 25Mi, 1G or 500m; use an"
                    + " image with a valid one, or set it with " + flag);
        }
        BigDecimal n = new BigDecimal(m.group(1) + (m.group(2) == null ? "" : m.group(2)));
        String suffix = m.group(3);
        if (suffix == null) {
            return n;
        }
        if (suffix.equals("m")) {
            return n.movePointLeft(3);
        }
        int power = "kMGTPE".indexOf(suffix.charAt(0) == 'K' ? 'k' : suffix.charAt(0)) + 1;
        BigDecimal base = BigDecimal.valueOf(suffix.endsWith("i") ? 1024 : 1000);
        return n.multiply(base.pow(power));
    }

    private static Long imageMemory(String limit, String where) {
        if (limit == null) {
            return null;
        }
        BigDecimal bytes = quantity(limit, where, "--memory").setScale(0, RoundingMode.CEILING);
        if (bytes.compareTo(BigDecimal.valueOf(4L << 20)) < 0 || bytes.toBigInteger().bitLength() > 62) {
            throw BosunException.invalid(where + ": a memory limit of " + limit + " is not between 4 MiB and 4 EiB;"
                    + " set another with --memory");
        }
        return bytes.longValueExact();
    }

    private static Long imageCpu(String limit, String where) {
        if (limit == null) {
            return null;
        }
        BigDecimal millis = quantity(limit, where, "--cpu").movePointRight(3)
                .setScale(0, RoundingMode.CEILING);
        if (millis.signum() <= 0 || millis.toBigInteger().bitLength() > 62) {
            throw BosunException.invalid(where + ": a CPU limit of " + limit + " is not a CPU amount like 500m or 2;"
                    + " set another with --cpu");
        }
        return millis.longValueExact();
    }

    /** The {@code limit} of a resource isolator's value, or null when it has none (a request only). */
    private static String imageLimit(ImageManifest.Isolator i, String where) {
        JsonNode limit = json(i, where).path("limit");
        if (limit.isMissingNode() || limit.isNull()) {
            return null;
        }
        return limit.isTextual() ? limit.textValue() : limit.toString();
    }

    private static long imageNumber(ImageManifest.Isolator i, String where, String flag) {
        JsonNode value = json(i, where);
        if (!value.canConvertToLong() || !value.isIntegralNumber()) {
            throw BosunException.invalid(where + ": '" + i.value() + "' is not a whole number; use an image with a"
                    + " valid one, or set it with " + flag);
        }
        return value.longValue();
    }

    private static JsonNode json(ImageManifest.Isolator i, String where) {
        try {
            return JSON.readTree(i.value());
        } catch (JsonProcessingException e) {
            throw BosunException.invalid(where + ": its value is not JSON: " + i.value());
        }
    }

    static List<PodManifestJson.Isolator> isolators(Resources r) {
        List<PodManifestJson.Isolator> list = new ArrayList<>();
        if (r.memoryBytes() != null) {
            list.add(new PodManifestJson.Isolator(MEMORY, Map.of("limit", Long.toString(r.memoryBytes()))));
        }
        if (r.cpuMillis() != null) {
            list.add(new PodManifestJson.Isolator(CPU, Map.of("limit", r.cpuMillis() + "m")));
        }
        if (r.cpuShares() != null) {
            list.add(new PodManifestJson.Isolator(CPU_SHARES, r.cpuShares()));
        }
        if (r.oomScoreAdj() != null) {
            if (r.oomScoreAdj() < -1000 || r.oomScoreAdj() > 1000) {
                throw BosunException.invalid("--oom-score-adj " + r.oomScoreAdj() + " is not between -1000 and 1000");
            }
            list.add(new PodManifestJson.Isolator(OOM_SCORE_ADJ, r.oomScoreAdj()));
        }
        return list.isEmpty() ? null : list;
    }

    /** The image's {@code pre-start} and {@code post-stop} handlers; anything else is refused. */
    static List<PodManifestJson.EventHandler> eventHandlers(ImageManifest image, String app) {
        List<PodManifestJson.EventHandler> list = new ArrayList<>();
        for (Map.Entry<String, List<String>> e : new java.util.TreeMap<>(image.eventHandlers()).entrySet()) {
            String where = "event handler '" + e.getKey() + "' of image " + image.name() + " (app " + app + ")";
            if (!EVENTS.contains(e.getKey())) {
                throw BosunException.invalid(where + " is not one of the appc events pre-start and post-stop");
            }
            if (e.getValue().isEmpty() || !e.getValue().get(0).startsWith("/")) {
                throw BosunException.invalid(where + " must run a command given by its absolute path");
            }
            list.add(new PodManifestJson.EventHandler(e.getKey(), e.getValue()));
        }
        return list.isEmpty() ? null : list;
    }

    /** The engine's view of one app of the manifest, with the rootfs at {@code podDir/apps/NAME/rootfs}. */
    static PodDirectory.App engineApp(Path podDir, PodManifestJson manifest, PodManifestJson.RuntimeApp app,
            Map<String, String> env) {
        PodManifestJson.App a = app.app();
        Map<String, List<String>> handlers = new LinkedHashMap<>();
        if (a.eventHandlers() != null) {
            a.eventHandlers().forEach(h -> handlers.put(h.name(), h.exec()));
        }
        return new PodDirectory.App(app.name(), podDir.resolve("apps").resolve(app.name()).resolve("rootfs"), a.exec(),
                env, Integer.parseInt(a.user()), Integer.parseInt(a.group()),
                a.workingDirectory() == null ? "/" : a.workingDirectory(), a.supplementaryGIDs(),
                PodVolumes.resolve(podDir, manifest, app), Boolean.TRUE.equals(app.readOnlyRootFS()),
                resources(a.isolators()), null, null, null, null, handlers);
    }

    static Resources resources(List<PodManifestJson.Isolator> isolators) {
        if (isolators == null) {
            return Resources.NONE;
        }
        Long memory = null;
        Long cpu = null;
        Long shares = null;
        Integer oom = null;
        for (PodManifestJson.Isolator i : isolators) {
            switch (i.name()) {
                case MEMORY -> memory = Long.valueOf(limit(i));
                case CPU -> cpu = Long.valueOf(limit(i).replaceAll("m$", ""));
                case CPU_SHARES -> shares = ((Number) i.value()).longValue();
                case OOM_SCORE_ADJ -> oom = ((Number) i.value()).intValue();
                default -> {
                    // another runtime's isolator: not bosun's to apply
                }
            }
        }
        return new Resources(memory, cpu, shares, oom);
    }

    private static String limit(PodManifestJson.Isolator i) {
        if (i.value() instanceof Map<?, ?> m && m.get("limit") != null) {
            return m.get("limit").toString();
        }
        throw BosunException.internal("isolator " + i.name() + " of the pod manifest has no limit: " + i.value(), null);
    }
}
