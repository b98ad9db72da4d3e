package org.bosun.security.selinux;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.random.RandomGenerator;

import org.bosun.api.RuntimePaths;
import org.bosun.api.security.SecurityContext;
import org.bosun.api.security.SecurityModule;
import org.bosun.api.security.SecurityModuleService;
import org.bosun.api.security.SecurityPolicy;
import org.bosun.api.security.SelinuxLabels;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * SELinux labels for pods, as rkt gave them: the policy's container contexts
 * ({@code contexts/lxc_contexts}) with an MCS category pair of the pod's own ({@link McsLabels}), so
 * each pod's processes ({@code process}) touch only its own files ({@code mount}). Every app of a
 * pod gets the pod's labels; engines apply them (nspawn {@code -Z}/{@code -L}, OCI
 * {@code process.selinuxLabel}/{@code linux.mountLabel}). gc frees the pair. On a host without
 * SELinux the module is inactive and says why ({@link #inactiveReason(RuntimePaths)}).
 */
@Component(service = SecurityModule.class, property = "service.ranking:Integer=100")
@SecurityModuleService(name = SelinuxModule.NAME)
@Designate(ocd = SelinuxModule.Config.class)
public final class SelinuxModule implements SecurityModule {
    static final String NAME = "selinux";
    static final String LABELS_FILE = "selinux-mcs";

    @ObjectClassDefinition(name = "bosun SELinux")
    public @interface Config {
        @AttributeDefinition(description = "Where selinuxfs is mounted")
        String selinuxfs() default "/sys/fs/selinux";

        @AttributeDefinition(description = "The SELinux configuration directory (config, POLICY/contexts/lxc_contexts)")
        String configDir() default "/etc/selinux";
    }

    private final SelinuxHost host;
    private final RandomGenerator random;

    @Activate
    public SelinuxModule(Config config) {
        this(new SelinuxHost(Path.of(config.selinuxfs()), Path.of(config.configDir())), new SecureRandom());
    }

    SelinuxModule(SelinuxHost host, RandomGenerator random) {
        this.host = host;
        this.random = random;
    }

    @Override
    public SecurityPolicy contribute(SecurityContext context, SecurityPolicy policy) {
        SelinuxHost.Contexts contexts = host.contexts();
        McsLabels.Pair pair = labels(context.paths()).allocate(context.podUuid());
        return policy.withSelinuxLabels(new SelinuxLabels(label(contexts.process(), pair), label(contexts.file(), pair)));
    }

    @Override
    public void release(RuntimePaths paths, String podUuid) {
        labels(paths).release(podUuid);
    }

    @Override
    public String inactiveReason(RuntimePaths paths) {
        return host.inactiveReason();
    }

    McsLabels labels(RuntimePaths paths) {
        return new McsLabels(paths.dataDir().resolve(LABELS_FILE), random);
    }

    /** {@code user:role:type:s0} with the pod's categories: {@code user:role:type:s0:c12,c345}. */
    static String label(String context, McsLabels.Pair pair) {
        String[] f = context.split(":", 4);
        String sensitivity = f[3].split("[-:]", 2)[0];
        return f[0] + ":" + f[1] + ":" + f[2] + ":" + sensitivity + ":" + pair.categories();
    }
}
