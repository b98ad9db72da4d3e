package org.bosun.security.seccomp;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import org.bosun.api.BosunException;
import org.bosun.api.InsecureOption;
import org.bosun.api.RuntimePaths;
import org.bosun.api.image.ImageManifest;
import org.bosun.api.security.Protection;
import org.bosun.api.security.SecurityContext;
import org.bosun.api.security.SecurityModule;
import org.bosun.api.security.SecurityModuleService;
import org.bosun.api.security.SecurityPolicy;
import org.osgi.service.component.annotations.Component;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Each app's seccomp filter, as an OCI {@code linux.seccomp} profile. In order of precedence:
 * {@code --insecure-options=seccomp} (none); {@code --seccomp profile=NAME} (a named profile from
 * {@code seccomp.d/}) or {@code profile=/PATH} (a profile file of the host, in the same formats: the
 * CRI's Localhost profiles); {@code --seccomp mode=...} ({@link SeccompSet}); the image's
 * {@code os/linux/seccomp-retain-set} or {@code -remove-set} isolator; else bosun's default
 * whitelist ({@code @bosun/default-whitelist}, refused calls get EPERM; an app holding CAP_SYS_ADMIN is
 * also allowed the calls Docker's default allows with it). It runs after the
 * capabilities module, so Docker profiles' capability conditions see the app's final set.
 */
@Component(service = SecurityModule.class, property = "service.ranking:Integer=100")
@SecurityModuleService(name = SeccompModule.NAME)
public final class SeccompModule implements SecurityModule {
    static final String NAME = "seccomp";
    static final String RETAIN_SET = "os/linux/seccomp-retain-set";
    static final String REMOVE_SET = "os/linux/seccomp-remove-set";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public SecurityPolicy contribute(SecurityContext context, SecurityPolicy policy) {
        if (context.insecure().contains(InsecureOption.SECCOMP)) {
            return policy.withSeccompProfile(null).withProtectionOff(Protection.SECCOMP);
        }
        String profile = profile(context, policy);
        SecurityPolicy result = policy.withSeccompProfile(profile);
        return profile == null ? result.withProtectionOff(Protection.SECCOMP) : result;
    }

    @Override
    public String inactiveReason(RuntimePaths paths) {
        return null;
    }

    static String profile(SecurityContext context, SecurityPolicy policy) {
        String app = "app " + context.appName();
        String flag = context.settings().seccomp();
        if (flag != null) {
            String where = app + ": --seccomp " + flag;
            if (flag.strip().startsWith("profile=")) {
                String name = flag.strip().substring("profile=".length());
                if (name.startsWith("/")) {
                    // a profile file of the host by its path (the CRI's Localhost profiles), loaded as a named one
                    java.nio.file.Path file = java.nio.file.Path.of(name);
                    if (!java.nio.file.Files.isRegularFile(file)) {
                        throw BosunException.notFound(where + ": there is no seccomp profile file " + name
                                + " on this host");
                    }
                    return NamedProfiles.load(file, policy.capabilities(), SyscallTable.X86_64, where);
                }
                if (context.paths() == null) {
                    throw BosunException.invalid(where + ": named profiles need the configuration directories");
                }
                return NamedProfiles.load(NamedProfiles.find(context.paths(), name, where), policy.capabilities(),
                        SyscallTable.X86_64, where);
            }
            return SeccompSet.parseFlag(flag, where).toOciProfile(SyscallTable.X86_64);
        }
        ImageManifest.Isolator retain = context.isolator(RETAIN_SET);
        ImageManifest.Isolator remove = context.isolator(REMOVE_SET);
        if (retain != null && remove != null) {
            throw BosunException.invalid(app + ": its image has both " + RETAIN_SET + " and " + REMOVE_SET
                    + ", which the appc spec forbids; override them with --seccomp");
        }
        if (retain != null || remove != null) {
            ImageManifest.Isolator isolator = retain != null ? retain : remove;
            return fromIsolator(isolator, retain != null, app + ": the image's isolator " + isolator.name())
                    .toOciProfile(SyscallTable.X86_64);
        }
        return SeccompSet.defaultWhitelist(policy.capabilities()).toOciProfile(SyscallTable.X86_64);
    }

    /** {@code {"set": ["@docker/default-blacklist", "reboot"], "errno": "ENOTSUP"}}. */
    private static SeccompSet fromIsolator(ImageManifest.Isolator isolator, boolean retain, String where) {
        JsonNode value;
        try {
            value = JSON.readTree(isolator.value());
        } catch (IOException e) {
            throw BosunException.invalid(where + " is not JSON");
        }
        JsonNode set = value.path("set");
        if (!set.isArray() || set.isEmpty()) {
            throw BosunException.invalid(where + " has no non-empty \"set\" of system calls");
        }
        List<String> items = new ArrayList<>();
        set.forEach(n -> items.add(n.asText()));
        String errno = value.hasNonNull("errno") ? value.get("errno").asText() : null;
        return new SeccompSet(retain, errno, items, where);
    }
}
