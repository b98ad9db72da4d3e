package org.bosun.core;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.bosun.api.BosunException;
import org.bosun.api.InsecureOption;
import org.bosun.api.RuntimePaths;
import org.bosun.api.image.ImageManifest;
import org.bosun.api.pod.AppRequest;
import org.bosun.api.pod.PrepareRequest;
import org.bosun.api.security.IdMapping;
import org.bosun.api.security.Protection;
import org.bosun.api.security.SecurityContext;
import org.bosun.api.security.SecurityPolicy;
import org.bosun.api.stage1.PodDirectory;

/**
 * Each app's security policy: built at prepare time by the installed security modules, in ranking
 * order, resolved by the core ({@link PolicyDefaults}) and recorded in the pod as
 * {@code apps/NAME/security.json}. Engines get the recorded policy only and enforce it as it is, so
 * updating or removing a module never changes a prepared or running pod, and every engine gives an
 * app the same.
 *
 * <p>The policy also says which protections the app runs without: those the user switched off
 * ({@code --insecure-options}), those no active module provides, and all of them on an engine that
 * does not isolate apps (fly), which enforces none.
 */
final class PodSecurity {
    static final String FILE = "security.json";
    /** What a privileged app runs without: rkt's {@code all-run} but {@code ondisk}, which is the pod's. */
    static final Set<InsecureOption> PRIVILEGED = Set.of(InsecureOption.CAPABILITIES, InsecureOption.PATHS,
            InsecureOption.SECCOMP);
    private final ServiceLookup services;
    private final PodFiles files;

    PodSecurity(ServiceLookup services, PodFiles files) {
        this.services = services;
        this.files = files;
    }

    /** Builds and records the policy of app {@code name}, whose rootfs is already rendered. */
    SecurityPolicy record(RuntimePaths paths, PrepareRequest request, AppRequest app, ImageManifest image, String name,
            Path podDir) {
        Path appDir = podDir.resolve("apps").resolve(name);
        // A privileged app (the CRI's privileged container) runs with every protection off, as the
        // modules switch them off for --insecure-options, and with the host's devices: for it alone.
        Set<InsecureOption> insecure = EnumSet.noneOf(InsecureOption.class);
        insecure.addAll(request.insecureOptions());
        if (app.settings().privileged()) {
            insecure.addAll(PRIVILEGED);
        }
        SecurityContext context = new SecurityContext(paths, podDir.getFileName().toString(), name,
                insecure, app.settings(), image.isolators(), request.options(), appDir.resolve("rootfs"));
        boolean isolated = services.withEngine(request.stage1Name(), e -> e.capabilities().isolated()).result();
        if (request.options().privateUsers() && !isolated) {
            throw BosunException.invalid("stage1 engine '" + request.stage1Name() + "' does not isolate its apps and"
                    + " cannot run them in a user namespace; drop --private-users or use --stage1-name=nspawn or oci");
        }
        SecurityPolicy[] policy = {SecurityPolicy.UNCONFINED};
        Set<String> active = new HashSet<>();
        services.withSecurityModules((module, provider) -> {
            if (provider.inactiveReason(paths) == null) {
                policy[0] = provider.contribute(context, policy[0]);
                active.add(module);
            }
        });
        SecurityPolicy result = policy[0];
        if (request.options().privateUsers() && result.uidMappings().isEmpty()) {
            throw BosunException.unavailable("--private-users needs the user namespace security module (bundle"
                    + " org.bosun.security.userns), which is not installed or not active here (see bosun version)");
        }
        Set<Protection> provided = EnumSet.noneOf(Protection.class);
        for (Protection p : Protection.values()) {
            // the module that provides a protection is named as it (see Protection#id)
            if (!isolated || !active.contains(p.id()) || insecure.contains(p.insecureOption())) {
                result = result.withProtectionOff(p);
            }
            if (active.contains(p.id())) {
                provided.add(p);
            }
        }
        result = PolicyDefaults.resolve(result, provided).withHostDevices(app.settings().privileged());
        files.writeJson(appDir.resolve(FILE), result);
        return result;
    }

    /**
     * One line per installed security module that is inactive here, with its reason ({@code selinux:
     * inactive (SELinux is not enabled ...)}): what the pod's policy was built without, for its notes.
     * Asks as {@code bosun version} does, with the command's paths (a module may be configured per
     * {@code --local-config}).
     */
    List<String> inactiveModules(RuntimePaths paths) {
        List<String> lines = new ArrayList<>();
        services.withSecurityModules((module, provider) -> {
            String reason = provider.inactiveReason(paths);
            if (reason != null) {
                lines.add(module + ": inactive (" + reason + ")");
            }
        });
        return lines;
    }

    /**
     * The policy recorded for app {@code name}; for a pod prepared before policies were recorded, the
     * defaults of a policy no module contributed to ({@link PolicyDefaults}).
     */
    SecurityPolicy recorded(Path podDir, String name) {
        return recorded(files, podDir, name);
    }

    static SecurityPolicy recorded(PodFiles files, Path podDir, String name) {
        SecurityPolicy policy = files.read(podDir.resolve("apps").resolve(name).resolve(FILE), SecurityPolicy.class);
        return policy == null ? PolicyDefaults.resolve(SecurityPolicy.UNCONFINED) : policy;
    }

    /** {@code app} with the policy recorded for it in the pod whose files are in {@code podDir}. */
    static PodDirectory.App withRecordedPolicy(PodFiles files, Path podDir, PodDirectory.App app) {
        SecurityPolicy policy = recorded(files, podDir, app.name());
        return new PodDirectory.App(app.name(), app.rootfs(), app.exec(), app.environment(), app.uid(), app.gid(),
                app.workingDirectory(), app.supplementaryGids(), app.mounts(), app.readonlyRootfs(), app.resources(),
                policy, app.lowerDirs(), app.upperDir(), app.workDir(), app.eventHandlers());
    }

    /** What the pod's apps run without, all apps together. */
    Set<Protection> protectionsOff(Path podDir, PodManifestJson manifest) {
        Set<Protection> off = EnumSet.noneOf(Protection.class);
        if (manifest != null) {
            for (PodManifestJson.RuntimeApp app : manifest.apps()) {
                if (Files.exists(podDir.resolve("apps").resolve(app.name()).resolve(FILE))) {
                    off.addAll(recorded(podDir, app.name()).protectionsOff());
                }
            }
        }
        return off;
    }

    /**
     * The pod's user namespace: {@code recorded}, the one chosen for a sandbox before it had apps
     * (see {@link #recordSandbox}), or else the mapping its apps' policies share (a pod has one user
     * namespace); null for none. Every app must have the pod's.
     */
    static IdMapping userNamespace(String uuid, List<PodDirectory.App> apps, IdMapping recorded) {
        IdMapping mapping = recorded;
        boolean first = recorded == null;
        for (PodDirectory.App app : apps) {
            List<IdMapping> maps = app.security().uidMappings();
            IdMapping own = maps.isEmpty() ? null : maps.get(0);
            if (own != null && own.container() != 0) {
                throw BosunException.internal("pod " + uuid + ": app " + app.name() + " maps its user namespace from"
                        + " container id " + own.container() + ", not 0", null);
            }
            if (!first && !java.util.Objects.equals(own, mapping)) {
                throw BosunException.internal("pod " + uuid + ": app " + app.name() + " records the user namespace "
                        + own + ", not the pod's " + mapping, null);
            }
            mapping = own;
            first = false;
        }
        return mapping;
    }

    static IdMapping userNamespace(String uuid, List<PodDirectory.App> apps) {
        return userNamespace(uuid, apps, null);
    }

    /**
     * A sandbox's user namespace ({@code bosun app sandbox --private-users}), chosen now, before it
     * has apps, by the user namespace module, and recorded as {@link PodFiles#USER_NAMESPACE}: every
     * app added later is prepared with it ({@link #record}, whose module gives the pod's range again)
     * and its engine makes the namespace when the sandbox starts. Nothing for a sandbox without
     * {@code --private-users}.
     */
    IdMapping recordSandbox(RuntimePaths paths, PrepareRequest request, Path podDir) {
        if (!request.options().privateUsers()) {
            return null;
        }
        boolean isolated = services.withEngine(request.stage1Name(), e -> e.capabilities().isolated()).result();
        if (!isolated) {
            throw BosunException.invalid("stage1 engine '" + request.stage1Name() + "' does not isolate its apps and"
                    + " cannot run them in a user namespace; drop --private-users or use --stage1-name=nspawn or oci");
        }
        String uuid = podDir.getFileName().toString();
        IdMapping[] mapping = {null};
        services.withSecurityModules((module, provider) -> {
            if (mapping[0] == null && provider.inactiveReason(paths) == null) {
                mapping[0] = provider.podUserNamespace(paths, uuid, request.options());
            }
        });
        if (mapping[0] == null) {
            throw BosunException.unavailable("--private-users needs the user namespace security module (bundle"
                    + " org.bosun.security.userns), which is not installed or not active here (see bosun version)");
        }
        if (mapping[0].container() != 0) {
            throw BosunException.internal("pod " + uuid + ": the user namespace module mapped it from container id "
                    + mapping[0].container() + ", not 0", null);
        }
        files.writeJson(podDir.resolve(PodFiles.USER_NAMESPACE), mapping[0]);
        return mapping[0];
    }

    /**
     * Lets every module measure the pod about to start (a TPM extends a PCR); a module that must
     * measure and cannot refuses the launch by throwing.
     */
    void measure(org.bosun.api.security.PodMeasurement measurement) {
        services.withSecurityModules((module, provider) -> provider.measure(measurement));
    }

    /** Lets every module release what it holds for the pod (a uid range, a label). */
    void release(RuntimePaths paths, String uuid) {
        services.withSecurityModules((module, provider) -> provider.release(paths, uuid));
    }
}
