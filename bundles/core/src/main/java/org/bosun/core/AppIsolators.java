package org.bosun.core;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.bosun.api.BosunException;
import org.bosun.api.image.ImageManifest;
import org.bosun.api.pod.AppRequest;
import org.bosun.api.pod.Resources;
import org.bosun.api.stage1.PodDirectory;

/**
 * The per-app settings beyond the command line of the appc app that bosun records in the pod
 * manifest, in appc's own terms: {@code supplementaryGIDs}, the isolators {@code resource/memory}
 * ({@code {"limit": "BYTES"}}), {@code resource/cpu} ({@code {"limit": "MILLISm"}}),
 * {@code os/linux/cpu-shares} and {@code os/linux/oom-score-adj} (numbers), and the
 * {@code eventHandlers}; and back from the manifest into the engine's {@link PodDirectory.App}.
 */
final class AppIsolators {
    static final String MEMORY = "resource/memory";
    static final String CPU = "resource/cpu";
    static final String CPU_SHARES = "os/linux/cpu-shares";
    static final String OOM_SCORE_ADJ = "os/linux/oom-score-adj";
    static final Set<String> EVENTS = Set.of("pre-start", "post-stop");

    private AppIsolators() {
    }

    /** {@code --supplementary-gids}, which replaces the image's groups as in rkt; else the image's; each once. */
    static List<Integer> supplementaryGids(ImageManifest image, AppRequest app) {
        List<Integer> given = app.settings().supplementaryGids();
        Set<Integer> gids = new LinkedHashSet<>(given.isEmpty() ? image.supplementaryGids() : given);
        return gids.isEmpty() ? null : new ArrayList<>(gids);
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
