package org.bosun.launcher;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.apache.felix.framework.FrameworkFactory;
import org.bosun.command.protocol.CommandService;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.startlevel.BundleStartLevel;
import org.osgi.util.tracker.ServiceTracker;

/**
 * Felix booted inside the launcher's JVM with one feature. The bundle cache is reused between
 * commands (installing is most of the start-up cost); a cache is a numbered slot that one process
 * holds at a time, so concurrent commands each get their own.
 */
final class EmbeddedPlatform {
    private static final int SLOTS = 16;
    private static final String KEY_FILE = "bosun-cache.key";
    /** The framework property naming this slot's key file. */
    static final String CACHE_KEY_PROPERTY = "bosun.cache.key";
    private static final String SCR = "org.apache.felix.scr";
    static final String SCR_CACHE_METADATA = "ds.cache.metadata";

    private final Framework framework;
    private final FileLock slotLock;
    private final Path temporaryCache;

    private EmbeddedPlatform(Framework framework, FileLock slotLock, Path temporaryCache) {
        this.framework = framework;
        this.slotLock = slotLock;
        this.temporaryCache = temporaryCache;
    }

    /** Boots a platform that is stopped gracefully (the agent, the metadata service): SCR writes its metadata cache then. */
    static EmbeddedPlatform boot(Distribution dist, Assembly assembly, Map<String, String> extraProperties)
            throws Exception {
        return boot(dist, assembly, extraProperties, false);
    }

    /**
     * Boots a platform; {@code oneShot} for a command's, which is halted, never stopped: in a fresh
     * cache slot it has SCR write its metadata cache at once (see {@link #writeComponentMetadataCache}).
     */
    static EmbeddedPlatform boot(Distribution dist, Assembly assembly, Map<String, String> extraProperties,
            boolean oneShot) throws Exception {
        Feature feature = assembly.feature;
        List<Assembly.Bundle> bundles = assembly.bundles();
        String key = cacheKey(feature, bundles);

        Path cacheRoot = dist.cacheDir();
        Files.createDirectories(cacheRoot);
        FileLock lock = null;
        Path cache = null;
        for (int slot = 0; slot < SLOTS && lock == null; slot++) {
            Path lockFile = cacheRoot.resolve(feature.name + "-" + slot + ".lck");
            FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            lock = channel.tryLock();
            if (lock == null) {
                channel.close();
            } else {
                cache = cacheRoot.resolve(feature.name + "-" + slot);
            }
        }
        Path temporary = null;
        if (cache == null) {
            temporary = Files.createTempDirectory(cacheRoot, feature.name + "-tmp-");
            cache = temporary;
        }
        boolean fresh = !key.equals(readKey(cache));
        if (fresh) {
            deleteTree(cache);
        }

        Map<String, String> props = new HashMap<>(assembly.frameworkProperties());
        props.putAll(extraProperties);
        props.put(Constants.FRAMEWORK_STORAGE, cache.toString());
        // A bundle installed, updated or uninstalled live (bosun bundle) changes this slot's bundles
        // behind its key: the CLI deletes the key file then, so the slot's next boot starts fresh
        // from the bundles the index names instead of the ones this framework changed to.
        props.put(CACHE_KEY_PROPERTY, cache.resolve(KEY_FILE).toString());
        props.put(Constants.FRAMEWORK_STORAGE_CLEAN, fresh ? Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT : "none");
        props.put(Constants.FRAMEWORK_SYSTEMPACKAGES_EXTRA, String.join(",", assembly.systemPackages()));
        props.put(Constants.FRAMEWORK_BEGINNING_STARTLEVEL, Integer.toString(assembly.startLevel()));
        // SCR could keep the components' parsed descriptions in the cache instead of parsing every
        // bundle's OSGI-INF XML at every start; measured at about 2 % of a command's CPU, which does
        // not repay restarting SCR in a fresh slot, it stays off: BOSUN_SCR_CACHE=1 turns it on.
        // (The KillNineIT failure once blamed on it was the pod's lock descriptor, see bosun_launcher.c.)
        boolean scrCache = "1".equals(System.getenv("BOSUN_SCR_CACHE"));
        if (scrCache) {
            props.put(SCR_CACHE_METADATA, "true");
        }

        Framework framework = new FrameworkFactory().newFramework(props);
        Timing.mark("framework made (cache " + (fresh ? "fresh" : "reused") + ")");
        framework.init();
        Timing.mark("framework init (bundles loaded from the cache)");
        BundleContext context = framework.getBundleContext();
        if (Timing.on()) {
            context.addBundleListener((org.osgi.framework.SynchronousBundleListener) e -> {
                if (e.getType() == org.osgi.framework.BundleEvent.RESOLVED && e.getBundle().getBundleId() == 1) {
                    Timing.mark("first bundle resolved");
                } else if (e.getType() == org.osgi.framework.BundleEvent.STARTED) {
                    Timing.mark("started " + e.getBundle().getSymbolicName());
                }
            });
        }
        if (fresh) {
            List<Bundle> installed = new ArrayList<>();
            for (Assembly.Bundle b : bundles) {
                Bundle bundle = context.installBundle(b.file().toUri().toString());
                bundle.adapt(BundleStartLevel.class).setStartLevel(b.startLevel());
                installed.add(bundle);
            }
            for (Bundle bundle : installed) {
                if (bundle.getHeaders().get(Constants.FRAGMENT_HOST) == null) {
                    bundle.start(Bundle.START_ACTIVATION_POLICY);
                }
            }
        }
        framework.start();
        Timing.mark("framework start returned");
        if (fresh && temporary == null && oneShot && scrCache) {
            writeComponentMetadataCache(context);
        }
        if (fresh) {
            Files.writeString(cache.resolve(KEY_FILE), key);
        }
        return new EmbeddedPlatform(framework, lock, temporary);
    }

    /**
     * SCR writes its metadata cache when it stops, which a one-shot command never lets it do: in a
     * fresh cache slot of a one-shot command (its components are all delayed, none is active yet), once every bundle is started (framework start returns at the start level)
     * and before any component is activated, SCR is stopped and started again, transiently. The
     * next command that boots this slot reads the components from that cache.
     */
    private static void writeComponentMetadataCache(BundleContext context) throws Exception {
        for (Bundle bundle : context.getBundles()) {
            if (SCR.equals(bundle.getSymbolicName()) && bundle.getState() == Bundle.ACTIVE) {
                bundle.stop(Bundle.STOP_TRANSIENT);
                bundle.start(Bundle.START_TRANSIENT);
                Timing.mark("component metadata cache written");
            }
        }
    }

    /** Waits for the command service; bundles start asynchronously at their start levels. */
    CommandService commandService(long timeoutMillis) throws InterruptedException {
        ServiceTracker<CommandService, CommandService> tracker =
                new ServiceTracker<>(framework.getBundleContext(), CommandService.class, null);
        tracker.open();
        CommandService service = tracker.waitForService(timeoutMillis);
        if (service == null) {
            throw new IllegalStateException("the bosun command service did not start within " + timeoutMillis
                    + " ms; run with --debug to see the framework's errors");
        }
        return service;
    }

    Framework framework() {
        return framework;
    }

    /** Releases the cache slot without stopping the framework: one-shot commands halt the JVM. */
    void release() {
        try {
            if (temporaryCache != null) {
                deleteTree(temporaryCache);
            }
            if (slotLock != null) {
                slotLock.channel().close();
            }
        } catch (IOException ignored) {
            // the next command finds the slot free once this process is gone
        }
    }

    /** Stops the framework gracefully (the agent, on shutdown). */
    void stop() throws Exception {
        framework.stop();
        framework.waitForStop(10_000);
        release();
    }

    private static String cacheKey(Feature feature, List<Assembly.Bundle> bundles) throws IOException {
        StringBuilder sb = new StringBuilder(feature.digest);
        for (Assembly.Bundle b : bundles) {
            Path f = b.file();
            BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class);
            sb.append('|').append(f).append(':').append(a.size()).append(':').append(a.lastModifiedTime().toMillis());
        }
        return sb.toString();
    }

    private static String readKey(Path cache) {
        try {
            return Files.readString(cache.resolve(KEY_FILE));
        } catch (IOException e) {
            return null;
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }

}
