package org.bosun.security.userns;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.bosun.api.BosunException;
import org.bosun.api.RuntimePaths;
import org.bosun.api.pod.PodOptions;
import org.bosun.api.security.IdMapping;
import org.bosun.api.security.SecurityContext;
import org.bosun.api.security.SecurityModule;
import org.bosun.api.security.SecurityModuleService;
import org.bosun.api.security.SecurityPolicy;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * {@code --private-users}: the pod runs in a user namespace of its own, container ids
 * {@code 0..65535} being a host range that this module allocates for the pod alone
 * ({@link HostIdRanges}: lock-protected, never overlapping another pod's or a host user's
 * {@code /etc/subuid}/{@code /etc/subgid} range) and records in every app's policy
 * ({@code uidMappings [0, HOSTID, 65536]}, gids alike). The core copies a private-users pod's
 * image trees instead of layering them (an overlay's lower layer is shared and cannot be chowned);
 * this module shifts the copy's owners into the range ({@link OwnerShift}), so root in the pod owns
 * its files and is nobody to the rest of the host. Engines enforce the mapping (nspawn
 * {@code --private-users=HOSTID:65536}, OCI {@code linux.uidMappings}). A sandbox
 * ({@code bosun app sandbox --private-users}) gets its range before it has apps
 * ({@link #podUserNamespace}); every app added later gets the same one. gc frees the range.
 */
@Component(service = SecurityModule.class, property = "service.ranking:Integer=150")
@SecurityModuleService(name = UserNamespaceModule.NAME)
@Designate(ocd = UserNamespaceModule.Config.class)
public final class UserNamespaceModule implements SecurityModule {
    static final String NAME = "userns";
    /** Ids per pod: the 16-bit range images and tools expect (nobody is 65534). */
    static final long RANGE_SIZE = 65536;
    static final String RANGES_FILE = "userns-ranges";

    @ObjectClassDefinition(name = "bosun user namespaces")
    public @interface Config {
        @AttributeDefinition(description = "The lowest host uid/gid given to a pod's user namespace")
        long firstHostId() default 524288;

        @AttributeDefinition(description = "How many pods may have a range at once (65536 ids each)")
        long slots() default 8192;

        @AttributeDefinition(description = "Files of host users' subordinate ids; their ranges are never given to pods")
        String[] subordinateIdFiles() default { "/etc/subuid", "/etc/subgid" };

        @AttributeDefinition(description = "Directory of the allocation record; empty: the data dir (--dir)")
        String rangesDir() default "";
    }

    private final long firstHostId;
    private final long slots;
    private final List<Path> subordinateIdFiles;
    private final String rangesDir;

    @Activate
    public UserNamespaceModule(Config config) {
        this(config.firstHostId(), config.slots(), List.of(config.subordinateIdFiles()).stream().map(Path::of).toList(),
                config.rangesDir());
    }

    UserNamespaceModule(long firstHostId, long slots, List<Path> subordinateIdFiles, String rangesDir) {
        if (firstHostId < 1 || slots < 1) {
            throw BosunException.invalid("the userns module's firstHostId (" + firstHostId + ") and slots (" + slots
                    + ") must be positive; fix its configuration");
        }
        this.firstHostId = firstHostId;
        this.slots = slots;
        this.subordinateIdFiles = List.copyOf(subordinateIdFiles);
        this.rangesDir = rangesDir == null ? "" : rangesDir;
    }

    @Override
    public SecurityPolicy contribute(SecurityContext context, SecurityPolicy policy) {
        if (!context.pod().privateUsers()) {
            return policy;
        }
        if (context.paths() == null || context.rootfs() == null) {
            throw BosunException.internal("pod " + context.podUuid() + ": the userns module needs the data dir and"
                    + " the app's rootfs", null);
        }
        // An overlay's lower layer is the store's shared tree: its owners cannot be shifted for one pod.
        if (Files.exists(context.rootfs().resolveSibling("layers"))) {
            throw BosunException.internal("app " + context.appName() + " of pod " + context.podUuid()
                    + " has an overlay rootfs; a --private-users pod needs copied rootfs (as --no-overlay)", null);
        }
        HostIdRanges.Range range = ranges(context.paths()).allocate(context.podUuid());
        OwnerShift.shift(context.rootfs(), range.hostId(), range.size());
        return policy.withUidMappings(List.of(new IdMapping(0, range.hostId(), range.size())));
    }

    /**
     * A sandbox's range, chosen before it has apps: the one {@link #contribute} then gives each app
     * added to it (a pod has one range).
     */
    @Override
    public IdMapping podUserNamespace(RuntimePaths paths, String podUuid, PodOptions pod) {
        if (!pod.privateUsers()) {
            return null;
        }
        HostIdRanges.Range range = ranges(paths).allocate(podUuid);
        return new IdMapping(0, range.hostId(), range.size());
    }

    @Override
    public void release(RuntimePaths paths, String podUuid) {
        ranges(paths).release(podUuid);
    }

    @Override
    public String inactiveReason(RuntimePaths paths) {
        if (!Files.exists(Path.of("/proc/self/ns/user"))) {
            return "this kernel has no user namespaces (CONFIG_USER_NS)";
        }
        return null;
    }

    HostIdRanges ranges(RuntimePaths paths) {
        Path dir = rangesDir.isEmpty() ? paths.dataDir() : Path.of(rangesDir);
        return new HostIdRanges(dir.resolve(RANGES_FILE), firstHostId, RANGE_SIZE, slots,
                SubordinateIds.read(subordinateIdFiles));
    }
}
