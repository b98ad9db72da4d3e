package org.bosun.security.capabilities;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

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
 * Each app's capability bounding set and no_new_privs, as rkt computed them, one step stricter:
 * <ul>
 * <li>rkt's default set of 14 ({@link Capabilities#RKT_DEFAULT}) unless the app asks otherwise;
 * <li>{@code --caps-retain} gives exactly the named set and wins over {@code --caps-remove}, which
 *     takes the named ones out of the default set; either replaces the image's isolators
 *     {@code os/linux/capabilities-retain-set} / {@code os/linux/capabilities-remove-set}
 *     (an image may declare only one of them, as the appc spec says);
 * <li>no_new_privs is the app's own setting ({@code AppSettings.noNewPrivileges}, the CRI's
 *     {@code no_new_privs}) when it has one; else on unless the image's {@code os/linux/no-new-privileges}
 *     isolator is {@code false} (rkt left it off by default; of several such isolators the last one counts,
 *     as in rkt);
 * <li>the app's {@code capsAdd} (the CRI's {@code add_capabilities}) are added to whichever set the above
 *     gives: Kubernetes' "the default set plus these";
 * <li>a set may be empty: {@code --caps-remove} of every default capability runs the app with none;
 * <li>{@code --insecure-options=capabilities} gives the app every capability.
 * </ul>
 */
@Component(service = SecurityModule.class, property = "service.ranking:Integer=300")
@SecurityModuleService(name = CapabilitiesModule.NAME)
public final class CapabilitiesModule implements SecurityModule {
    static final String NAME = "capabilities";
    static final String RETAIN_SET = "os/linux/capabilities-retain-set";
    static final String REMOVE_SET = "os/linux/capabilities-remove-set";
    static final String NO_NEW_PRIVILEGES = "os/linux/no-new-privileges";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public SecurityPolicy contribute(SecurityContext context, SecurityPolicy policy) {
        String app = "app " + context.appName();
        SecurityPolicy result = policy.withNoNewPrivileges(noNewPrivileges(context, app));
        if (context.insecure().contains(InsecureOption.CAPABILITIES)) {
            return result.withCapabilities(Set.copyOf(Capabilities.ALL)).withProtectionOff(Protection.CAPABILITIES);
        }
        return result.withCapabilities(boundingSet(context, app));
    }

    @Override
    public String inactiveReason(RuntimePaths paths) {
        return null;
    }

    static Set<String> boundingSet(SecurityContext context, String app) {
        List<String> retain = context.settings().capsRetain();
        List<String> remove = context.settings().capsRemove();
        Set<String> result;
        if (!retain.isEmpty()) {
            result = named(retain, app + ": --caps-retain");
        } else if (!remove.isEmpty()) {
            result = withoutNamed(remove, app + ": --caps-remove");
        } else {
            ImageManifest.Isolator retainSet = context.isolator(RETAIN_SET);
            ImageManifest.Isolator removeSet = context.isolator(REMOVE_SET);
            if (retainSet != null && removeSet != null) {
                throw BosunException.invalid(app + ": its image has both " + RETAIN_SET + " and " + REMOVE_SET
                        + ", which the appc spec forbids; override them with --caps-retain or --caps-remove");
            }
            if (retainSet != null) {
                result = named(set(retainSet, app), app + ": the image's " + RETAIN_SET);
            } else if (removeSet != null) {
                result = withoutNamed(set(removeSet, app), app + ": the image's " + REMOVE_SET);
            } else {
                result = new TreeSet<>(Capabilities.RKT_DEFAULT);
            }
        }
        result.addAll(named(context.settings().capsAdd(), app + ": the capabilities to add"));
        // Empty is an app with no capability at all, as rkt ran one: valid, and safer (see PolicyDefaults).
        return result;
    }

    private static Set<String> named(List<String> names, String where) {
        Set<String> caps = new TreeSet<>(); // mutable: boundingSet adds to it
        for (String name : names) {
            caps.add(Capabilities.canonical(name, where));
        }
        return caps;
    }

    private static Set<String> withoutNamed(List<String> names, String where) {
        Set<String> caps = new TreeSet<>(Capabilities.RKT_DEFAULT);
        caps.removeAll(named(names, where));
        return caps;
    }

    /** The {@code set} of a capability isolator ({@code {"set": ["CAP_NET_RAW"]}}). */
    private static List<String> set(ImageManifest.Isolator isolator, String app) {
        JsonNode set = parse(isolator, app).path("set");
        if (!set.isArray() || set.isEmpty()) {
            throw BosunException.invalid(app + ": the image's isolator " + isolator.name()
                    + " has no non-empty \"set\" of capability names");
        }
        List<String> names = new ArrayList<>();
        set.forEach(n -> names.add(n.asText()));
        return names;
    }

    static boolean noNewPrivileges(SecurityContext context, String app) {
        if (context.settings().noNewPrivileges() != null) {
            return context.settings().noNewPrivileges();
        }
        ImageManifest.Isolator isolator = context.isolator(NO_NEW_PRIVILEGES);
        if (isolator == null) {
            return true;
        }
        JsonNode value = parse(isolator, app);
        if (!value.isBoolean()) {
            throw BosunException.invalid(app + ": the image's isolator " + NO_NEW_PRIVILEGES + " is " + value
                    + "; it must be true or false");
        }
        return value.booleanValue();
    }

    private static JsonNode parse(ImageManifest.Isolator isolator, String app) {
        try {
            return JSON.readTree(isolator.value());
        } catch (IOException e) {
            throw BosunException.invalid(app + ": the image's isolator " + isolator.name() + " is not JSON: "
                    + e.getMessage());
        }
    }
}
