package org.bosun.core;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;

import org.bosun.api.BosunException;
import org.bosun.api.image.ImageFormat;
import org.bosun.api.image.ImageFormatService;
import org.bosun.api.net.NetworkProvider;
import org.bosun.api.net.NetworkProviderService;
import org.bosun.api.image.ImageStore;
import org.bosun.api.stage1.Stage1Engine;
import org.bosun.api.stage1.Stage1EngineService;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;

/**
 * Finds providers by their service properties for the length of one operation. Nothing is cached,
 * so a provider bundle can be updated or replaced between two operations, even while pods it
 * started are running.
 */
final class ServiceLookup {
    private final BundleContext context;

    ServiceLookup(BundleContext context) {
        this.context = context;
    }

    /** An engine, used once. */
    record EngineUse<R>(R result, String bundleVersion, int abiVersion) {
    }

    <R> EngineUse<R> withEngine(String name, Function<Stage1Engine, R> operation) {
        ServiceReference<Stage1Engine> ref = best(Stage1Engine.class, "(" + Stage1EngineService.NAME + "=" + escape(name) + ")");
        if (ref == null) {
            throw BosunException.unavailable("stage1 engine '" + name + "' is not installed (installed: "
                    + String.join(", ", engineNames()) + "); choose one with --stage1-name");
        }
        Stage1Engine engine = context.getService(ref);
        if (engine == null) {
            throw BosunException.unavailable("stage1 engine '" + name + "' went away; try again");
        }
        try {
            Object abi = ref.getProperty(Stage1EngineService.ABI_VERSION);
            return new EngineUse<>(operation.apply(engine), ref.getBundle().getVersion().toString(),
                    abi instanceof Number n ? n.intValue() : 1);
        } finally {
            context.ungetService(ref);
        }
    }

    /** The ABI version the installed engine {@code name} speaks, or -1 when none is installed. */
    int engineAbi(String name) {
        ServiceReference<Stage1Engine> ref = best(Stage1Engine.class, "(" + Stage1EngineService.NAME + "=" + escape(name) + ")");
        if (ref == null) {
            return -1;
        }
        Object abi = ref.getProperty(Stage1EngineService.ABI_VERSION);
        return abi instanceof Number n ? n.intValue() : 1;
    }

    List<String> engineNames() {
        List<String> names = new ArrayList<>();
        for (ServiceReference<Stage1Engine> ref : all(Stage1Engine.class, null)) {
            names.add(String.valueOf(ref.getProperty(Stage1EngineService.NAME)));
        }
        names.sort(null);
        return names;
    }

    /** Whether a network provider of that name is installed. */
    boolean hasNetworkProvider(String name) {
        return best(NetworkProvider.class, "(" + NetworkProviderService.PREFIX_ + "name=" + escape(name) + ")") != null;
    }

    /** The network provider {@code name}, used once. */
    <R> R withNetworkProvider(String name, Function<NetworkProvider, R> operation) {
        ServiceReference<NetworkProvider> ref = best(NetworkProvider.class,
                "(" + NetworkProviderService.PREFIX_ + "name=" + escape(name) + ")");
        NetworkProvider provider = ref == null ? null : context.getService(ref);
        if (provider == null) {
            throw BosunException.unavailable("network provider '" + name + "' is not installed; install the CNI"
                    + " bundles, or run with --net=host or --net=none");
        }
        try {
            return operation.apply(provider);
        } finally {
            context.ungetService(ref);
        }
    }

    <R> R withImageFormat(String scheme, String location, Function<ImageFormat, R> operation) {
        ServiceReference<ImageFormat> chosen = null;
        for (ServiceReference<ImageFormat> ref : all(ImageFormat.class, "(" + ImageFormatService.SCHEMES + "=" + escape(scheme) + ")")) {
            if (!"file".equals(scheme) || matchesExtension(ref, location)) {
                chosen = ref;
                break;
            }
        }
        if (chosen == null) {
            String what = "file".equals(scheme) ? "image file " + location : "image references of scheme '" + scheme + "'";
            throw BosunException.unavailable("no installed image format reads " + what
                    + "; install the bundle of that format (see 'bosun version' for the installed ones)");
        }
        ImageFormat format = context.getService(chosen);
        if (format == null) {
            throw BosunException.unavailable("the image format for '" + scheme + "' went away; try again");
        }
        try {
            return operation.apply(format);
        } finally {
            context.ungetService(chosen);
        }
    }

    /** The image store, for one operation. */
    <R> R withImageStore(Function<ImageStore, R> operation) {
        ServiceReference<ImageStore> ref = best(ImageStore.class, null);
        ImageStore store = ref == null ? null : context.getService(ref);
        if (store == null) {
            throw BosunException.unavailable("the image store (bundle org.bosun.store) is not installed; pods need it"
                    + " to fetch and render images");
        }
        try {
            return operation.apply(store);
        } finally {
            context.ungetService(ref);
        }
    }

    /** The format called {@code name} (the format that stored an image renders it). */
    <R> R withImageFormatNamed(String name, Function<ImageFormat, R> operation) {
        ServiceReference<ImageFormat> ref = best(ImageFormat.class, "(" + ImageFormatService.NAME + "=" + escape(name) + ")");
        ImageFormat format = ref == null ? null : context.getService(ref);
        if (format == null) {
            throw BosunException.unavailable("image format '" + name + "' is not installed, and images it stored"
                    + " need it to be rendered; install its bundle (see 'bosun version')");
        }
        try {
            return operation.apply(format);
        } finally {
            context.ungetService(ref);
        }
    }

    /**
     * Calls {@code operation(name, module)} for every security module, highest service ranking first;
     * each module is held for its call only.
     */
    void withSecurityModules(java.util.function.BiConsumer<String, org.bosun.api.security.SecurityModule> operation) {
        for (ServiceReference<org.bosun.api.security.SecurityModule> ref
                : all(org.bosun.api.security.SecurityModule.class, null)) {
            org.bosun.api.security.SecurityModule module = context.getService(ref);
            if (module == null) {
                continue; // went away meanwhile
            }
            try {
                operation.accept(String.valueOf(ref.getProperty(org.bosun.api.security.SecurityModuleService.NAME)),
                        module);
            } finally {
                context.ungetService(ref);
            }
        }
    }

    private static boolean matchesExtension(ServiceReference<?> ref, String location) {
        Object exts = ref.getProperty(ImageFormatService.PREFIX_ + "fileExtensions");
        if (exts instanceof String[] array) {
            for (String ext : array) {
                if (location.endsWith(ext)) {
                    return true;
                }
            }
        } else if (exts instanceof String ext) {
            return location.endsWith(ext);
        }
        return false;
    }

    private <S> ServiceReference<S> best(Class<S> type, String filter) {
        List<ServiceReference<S>> refs = all(type, filter);
        return refs.isEmpty() ? null : refs.get(0);
    }

    /** Highest ranking first, as the framework would choose. */
    private <S> List<ServiceReference<S>> all(Class<S> type, String filter) {
        try {
            Collection<ServiceReference<S>> refs = context.getServiceReferences(type, filter);
            List<ServiceReference<S>> sorted = new ArrayList<>(refs);
            sorted.sort(Comparator.reverseOrder());
            return sorted;
        } catch (InvalidSyntaxException e) {
            throw BosunException.invalid("bad name in service filter " + filter);
        }
    }

    private static String escape(String value) {
        return value.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)").replace("*", "\\*");
    }
}
