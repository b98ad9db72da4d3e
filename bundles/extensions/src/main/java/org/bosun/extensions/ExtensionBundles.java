package org.bosun.extensions;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.bosun.api.BosunException;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.wiring.FrameworkWiring;

/**
 * Installs, updates, rolls back and uninstalls the extension bundles of one data directory, in the
 * framework this command runs in (the agent's, or the one the launcher booted for this command)
 * and in the directory's {@link ExtensionIndex}, together: a bundle that does not resolve or
 * start is uninstalled again (or put back at its last version), and then neither its jar nor an
 * index entry is left. The launcher installs the indexed jars in every platform it boots.
 * <p>
 * bosun's own swappable bundles (its engines, image formats, network and security bundles; see
 * {@link #swappable}) can be updated the same way: the update is kept in the index as an entry
 * that {@code replaces} the built-in jar, and its rollback (or uninstall) puts the built-in back.
 * Other built-in bundles (the API, core, CLI, agent, ...) are refused: the rest of the platform is
 * wired to them, so they change only with bosun itself.
 */
final class ExtensionBundles {
    /** Set by the launcher: the data directory whose extension bundles this framework loaded. */
    static final String DIR_PROPERTY = "bosun.extensions.dir";
    private static final Pattern MISSING_PACKAGE =
            Pattern.compile("osgi\\.wiring\\.package; \\(&?\\(?osgi\\.wiring\\.package=([^)\\s]+)\\)");
    private static final Pattern MISSING_REQUIREMENT = Pattern.compile("missing requirement \\[[^]]*\\] ([^\\n]*)");
    private static final long REFRESH_TIMEOUT_SECONDS = 60;
    /** The agent serves commands concurrently; the file lock only excludes other processes. */
    private static final Object JVM_LOCK = new Object();
    /** Set by the launcher: the distribution's bundles/ folder, where the built-in jars are. */
    static final String BUNDLES_DIR_PROPERTY = "bosun.bundles.dir";
    /** Set by the launcher: the key file of this framework's bundle cache slot. */
    static final String CACHE_KEY_PROPERTY = "bosun.cache.key";
    /** The built-in bundles {@code bosun bundle update} may replace: the providers of the extension points. */
    static final List<String> SWAPPABLE_PREFIXES = List.of("org.bosun.stage1.", "org.bosun.image.", "org.bosun.cni.",
            "org.bosun.security.");
    /** The API among them: every provider of its kind is wired to it. */
    private static final List<String> NOT_SWAPPABLE = List.of("org.bosun.cni.api");

    private final BundleContext context;
    private final Path dataDir;

    ExtensionBundles(BundleContext context, Path dataDir) {
        this.context = context;
        this.dataDir = dataDir;
    }

    /** Refuses a data directory other than the one whose extensions this framework loaded. */
    void checkSameDirectory(boolean agent) {
        String loaded = context.getProperty(DIR_PROPERTY);
        if (loaded != null && !Path.of(loaded).equals(dataDir)) {
            throw BosunException.precondition((agent ? "the bosun agent" : "this platform") + " loads the extension"
                    + " bundles of " + loaded + ", not of " + dataDir + "; run with --dir=" + loaded
                    + (agent ? ", or without the agent (BOSUN_AGENT=off)" : ""));
        }
    }

    ExtensionIndex index() {
        return ExtensionIndex.read(dataDir);
    }

    /** The framework's bundle of {@code symbolicName}, if one is installed. */
    Optional<Bundle> installed(String symbolicName) {
        for (Bundle b : context.getBundles()) {
            if (symbolicName.equals(b.getSymbolicName())) {
                return Optional.of(b);
            }
        }
        return Optional.empty();
    }

    /** Installs and starts {@code jar} (checked and verified by the caller), then records it. */
    Bundle install(BundleJar jar) {
        return underLocks(() -> {
            ExtensionIndex index = index();
            refuseBuiltIn(index, jar.symbolicName(), "install");
            if (index.find(jar.symbolicName()).isPresent()) {
                throw new BosunException(org.bosun.api.ErrorKind.ALREADY_EXISTS, "bundle " + jar.symbolicName() + " is already installed (version "
                        + index.find(jar.symbolicName()).get().current().version() + "); use 'bosun bundle update "
                        + jar.file() + "' to replace it");
            }
            Path stored = copyIn(jar, index);
            Bundle bundle;
            try {
                bundle = context.installBundle(stored.toUri().toString());
            } catch (BundleException e) {
                Files.deleteIfExists(stored);
                throw BosunException.invalid("bundle " + jar.file() + " cannot be installed: " + firstLine(e));
            }
            try {
                start(bundle, jar);
                index.with(new ExtensionIndex.Entry(jar.symbolicName(),
                        new ExtensionIndex.Jar(jar.version().toString(), stored.getFileName().toString()), null))
                        .write();
                forgetCachedBundles();
            } catch (RuntimeException | IOException e) {
                uninstallQuietly(bundle);
                Files.deleteIfExists(stored);
                throw e;
            }
            return bundle;
        });
    }

    /** Replaces the installed extension of {@code jar}'s symbolic name by {@code jar}; keeps the replaced one. */
    Bundle update(BundleJar jar) {
        return underLocks(() -> {
            ExtensionIndex index = index();
            if (index.find(jar.symbolicName()).isEmpty()) {
                Optional<Bundle> builtIn = builtIn(index, jar.symbolicName());
                if (builtIn.isPresent()) {
                    return updateBuiltIn(index, builtIn.get(), jar);
                }
            }
            ExtensionIndex.Entry entry = extension(index, jar.symbolicName(), "update");
            if (entry.current().version().equals(jar.version().toString())) {
                throw new BosunException(org.bosun.api.ErrorKind.ALREADY_EXISTS, "bundle " + jar.symbolicName() + " is already at version "
                        + jar.version() + "; an update needs another Bundle-Version");
            }
            Path stored = copyIn(jar, index);
            try {
                Bundle bundle = replace(jar.symbolicName(), index.jar(entry.current()), stored, jar.file().toString());
                index.with(new ExtensionIndex.Entry(jar.symbolicName(),
                        new ExtensionIndex.Jar(jar.version().toString(), stored.getFileName().toString()),
                        entry.current(), entry.replaces())).write();
                forgetCachedBundles();
                if (entry.previous() != null && !entry.previous().file().equals(stored.getFileName().toString())) {
                    Files.deleteIfExists(index.jar(entry.previous()));
                }
                return bundle;
            } catch (RuntimeException | IOException e) {
                Files.deleteIfExists(stored);
                throw e;
            }
        });
    }

    /** Goes back to the version kept by the last update; the version left is kept in turn. */
    Bundle rollback(String symbolicName) {
        return underLocks(() -> {
            ExtensionIndex index = index();
            ExtensionIndex.Entry entry = extension(index, symbolicName, "roll back");
            if (entry.previous() == null && entry.updatesBuiltIn()) {
                return restoreBuiltIn(index, entry);
            }
            if (entry.previous() == null) {
                throw BosunException.precondition("bundle " + symbolicName + " has no previous version to roll back"
                        + " to; only an update keeps one");
            }
            Path previous = index.jar(entry.previous());
            if (!Files.isRegularFile(previous)) {
                throw BosunException.precondition("the previous version's jar " + previous + " of bundle "
                        + symbolicName + " is missing; update to a version instead");
            }
            Bundle bundle = replace(symbolicName, index.jar(entry.current()), previous, previous.toString());
            index.with(new ExtensionIndex.Entry(symbolicName, entry.previous(), entry.current(), entry.replaces()))
                    .write();
            forgetCachedBundles();
            return bundle;
        });
    }

    /** Uninstalls an extension bundle and removes its jars and index entry. */
    ExtensionIndex.Entry uninstall(String symbolicName) {
        return underLocks(() -> {
            ExtensionIndex index = index();
            ExtensionIndex.Entry entry = extension(index, symbolicName, "uninstall");
            if (entry.updatesBuiltIn()) {
                restoreBuiltIn(index, entry);
                return entry;
            }
            Optional<Bundle> bundle = installed(symbolicName);
            if (bundle.isPresent()) {
                try {
                    bundle.get().uninstall();
                } catch (BundleException e) {
                    throw BosunException.precondition("bundle " + symbolicName + " cannot be uninstalled: "
                            + firstLine(e));
                }
                refresh(List.of(bundle.get()));
            }
            index.without(symbolicName).write();
            forgetCachedBundles();
            deleteJars(index, entry);
            return entry;
        });
    }

    /** Whether {@code bosun bundle update} may replace bosun's own bundle {@code symbolicName}. */
    static boolean swappable(String symbolicName) {
        return SWAPPABLE_PREFIXES.stream().anyMatch(symbolicName::startsWith) && !NOT_SWAPPABLE.contains(symbolicName);
    }

    /** The built-in bundle of that name in this framework: installed, and not from the extensions folder. */
    private Optional<Bundle> builtIn(ExtensionIndex index, String symbolicName) {
        String extensions = index.folder().toUri().toString();
        return installed(symbolicName).filter(b -> !b.getLocation().startsWith(extensions));
    }

    /** The first update of a built-in bundle: the built-in becomes the version a rollback returns to. */
    private Bundle updateBuiltIn(ExtensionIndex index, Bundle builtIn, BundleJar jar) throws IOException {
        String name = jar.symbolicName();
        if (!swappable(name)) {
            throw BosunException.precondition("bundle " + name + " is a built-in bosun bundle that the rest of the"
                    + " platform is wired to; bosun bundle update replaces only extension bundles and bosun's own"
                    + " engines, image formats, network and security bundles (reinstall bosun to change the others)");
        }
        if (builtIn.getVersion().equals(jar.version())) {
            throw new BosunException(org.bosun.api.ErrorKind.ALREADY_EXISTS, "bundle " + name + " is already at"
                    + " version " + jar.version() + "; an update needs another Bundle-Version");
        }
        Path builtInJar = builtInJar(builtIn);
        Path stored = copyIn(jar, index);
        try {
            Bundle bundle = replace(name, builtInJar, stored, jar.file().toString());
            index.with(new ExtensionIndex.Entry(name,
                    new ExtensionIndex.Jar(jar.version().toString(), stored.getFileName().toString()), null,
                    builtInJar.getFileName().toString())).write();
            forgetCachedBundles();
            return bundle;
        } catch (RuntimeException | IOException e) {
            Files.deleteIfExists(stored);
            throw e;
        }
    }

    /** The distribution's jar a built-in bundle was installed from (the launcher installs file: URIs). */
    private Path builtInJar(Bundle builtIn) {
        Path dir = bundlesDir();
        try {
            Path jar = Path.of(java.net.URI.create(builtIn.getLocation()));
            if (Files.isRegularFile(jar) && (dir == null || jar.getParent().equals(dir))) {
                return jar;
            }
        } catch (IllegalArgumentException | java.nio.file.FileSystemNotFoundException e) {
            // not a file: location; refused below
        }
        throw BosunException.precondition("bundle " + builtIn.getSymbolicName() + " was not installed from a jar of"
                + " bosun's bundles folder (" + builtIn.getLocation() + "), so an update could not be rolled back;"
                + " it is not updated");
    }

    private Path bundlesDir() {
        String dir = context.getProperty(BUNDLES_DIR_PROPERTY);
        return dir == null ? null : Path.of(dir);
    }

    /**
     * Puts the built-in jar an update replaced back in the running bundle and forgets the update
     * (its entry and jars). When this distribution no longer has that jar (bosun was reinstalled
     * since), the launcher does not load the update any more: only the index is cleaned.
     */
    private Bundle restoreBuiltIn(ExtensionIndex index, ExtensionIndex.Entry entry) throws IOException {
        Path dir = bundlesDir();
        Path builtInJar = dir == null ? null : dir.resolve(entry.replaces());
        Bundle bundle = null;
        if (builtInJar != null && Files.isRegularFile(builtInJar) && installed(entry.symbolicName()).isPresent()) {
            bundle = replace(entry.symbolicName(), index.jar(entry.current()), builtInJar, builtInJar.toString());
        }
        index.without(entry.symbolicName()).write();
        forgetCachedBundles();
        deleteJars(index, entry);
        if (bundle == null) {
            bundle = installed(entry.symbolicName()).orElseThrow(() -> BosunException.notFound("the update of bundle "
                    + entry.symbolicName() + " is forgotten, but this platform has no built-in " + entry.symbolicName()
                    + " to go back to"));
        }
        return bundle;
    }

    private static void deleteJars(ExtensionIndex index, ExtensionIndex.Entry entry) throws IOException {
        Files.deleteIfExists(index.jar(entry.current()));
        if (entry.previous() != null) {
            Files.deleteIfExists(index.jar(entry.previous()));
        }
    }

    /**
     * This framework's bundles now differ from those its cache slot was made from: the launcher
     * makes the slot afresh at its next boot (else that boot would load this change again even
     * after another process undid it in the index).
     */
    private void forgetCachedBundles() {
        String key = context.getProperty(CACHE_KEY_PROPERTY);
        if (key != null) {
            try {
                Files.deleteIfExists(Path.of(key));
            } catch (IOException e) {
                throw BosunException.precondition("cannot delete the bundle cache key " + key + " (" + e.getMessage()
                        + "); delete it by hand, else the next bosun command may load the bundles from before this"
                        + " change");
            }
        }
    }

    /** The index entry of an extension; refuses built-in and unknown names. */
    /** What changes the extensions: under the JVM's and the data directory's lock, as one. */
    private interface LockedChange<T> {
        T apply() throws IOException;
    }

    /** Runs a change under both locks (the agent runs commands concurrently; other processes share the folder). */
    private <T> T underLocks(LockedChange<T> change) {
        synchronized (JVM_LOCK) {
            try (FileLock lock = ExtensionIndex.lock(dataDir)) {
                return change.apply();
            } catch (IOException e) {
                throw BosunException.precondition("cannot change " + ExtensionIndex.folder(dataDir) + ": " + e
                        + "; check its permissions and free space");
            }
        }
    }

    private ExtensionIndex.Entry extension(ExtensionIndex index, String symbolicName, String verb) {
        refuseBuiltIn(index, symbolicName, verb);
        return index.find(symbolicName).orElseThrow(() -> BosunException.notFound("no extension bundle "
                + symbolicName + " is installed in " + index.folder() + "; see 'bosun bundle list'"));
    }

    private void refuseBuiltIn(ExtensionIndex index, String symbolicName, String verb) {
        String extensions = index.folder().toUri().toString();
        if (index.find(symbolicName).isEmpty() && installed(symbolicName)
                .filter(b -> !b.getLocation().startsWith(extensions)).isPresent()) {
            throw BosunException.precondition("bundle " + symbolicName + " is a built-in bosun bundle; bosun bundle "
                    + verb + " acts on extension bundles" + (swappable(symbolicName) ? " and on updates of built-in"
                    + " ones ('bosun bundle update FILE' replaces it)" : " only (reinstall bosun to change the built-in"
                    + " ones)"));
        }
    }

    /** Copies the jar into bundles/ under its stored name, by a rename of a temporary copy. */
    private Path copyIn(BundleJar jar, ExtensionIndex index) throws IOException {
        Path target = index.folder().resolve(jar.storedFileName());
        Path temporary = index.folder().resolve("." + jar.storedFileName() + ".tmp");
        Files.copy(jar.file(), temporary, StandardCopyOption.REPLACE_EXISTING);
        Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING);
        return target;
    }

    /**
     * Updates the running bundle to {@code next} and refreshes its wires, so the components it
     * provides come back with the new code; if the new code does not resolve or start, the bundle is
     * put back at {@code current} and the update is refused.
     */
    private Bundle replace(String symbolicName, Path current, Path next, String subject) {
        Optional<Bundle> found = installed(symbolicName);
        if (found.isEmpty()) {
            // The framework did not load it (the index changed since it started): install the new one.
            try {
                Bundle bundle = context.installBundle(next.toUri().toString());
                try {
                    start(bundle, new BundleJar(Path.of(subject), symbolicName, null));
                } catch (RuntimeException e) {
                    uninstallQuietly(bundle);
                    throw e;
                }
                return bundle;
            } catch (BundleException e) {
                throw BosunException.invalid("bundle " + subject + " cannot be installed: " + firstLine(e));
            }
        }
        Bundle bundle = found.get();
        try {
            updateTo(bundle, next);
            start(bundle, new BundleJar(Path.of(subject), symbolicName, null));
            return bundle;
        } catch (RuntimeException e) {
            try {
                updateTo(bundle, current);
                bundle.start(Bundle.START_TRANSIENT);
            } catch (RuntimeException | BundleException restore) {
                e.addSuppressed(restore);
            }
            throw e;
        }
    }

    private void updateTo(Bundle bundle, Path jar) {
        try (InputStream in = Files.newInputStream(jar)) {
            // Stopped first: Bundle.update of a lazily activated bundle still waiting for its first
            // class load (STARTING, as bosun's engines are in a platform that has not used them)
            // deadlocks Felix SCR: the update swaps the revision before SCR disposes the bundle's
            // components, and unregistering their services resolves the new revision, whose
            // RESOLVED event SCR then waits on inside its own dispose.
            if ((bundle.getState() & (Bundle.STARTING | Bundle.ACTIVE)) != 0) {
                bundle.stop(Bundle.STOP_TRANSIENT);
            }
            bundle.update(in);
        } catch (BundleException | IOException e) {
            throw BosunException.invalid("bundle " + jar + " cannot replace " + bundle.getSymbolicName() + ": "
                    + firstLine(e));
        }
        refresh(List.of(bundle));
    }

    /** Starts the bundle; a failure to resolve names the missing import. */
    private static void start(Bundle bundle, BundleJar jar) {
        try {
            // A lazily activated bundle (bosun's engines, ...) stays lazy: activated at its first use.
            bundle.start(bundle.getHeaders().get(org.osgi.framework.Constants.BUNDLE_ACTIVATIONPOLICY) != null
                    ? Bundle.START_ACTIVATION_POLICY : 0);
        } catch (BundleException e) {
            String message = e.getMessage() == null ? e.toString() : e.getMessage();
            Matcher missing = MISSING_PACKAGE.matcher(message);
            if (missing.find()) {
                throw BosunException.precondition("bundle " + jar.file() + " (" + bundle.getSymbolicName()
                        + ") does not resolve: it imports package " + missing.group(1)
                        + ", which no installed bundle exports; install a bundle that exports it first");
            }
            Matcher requirement = MISSING_REQUIREMENT.matcher(message);
            if (message.contains("Unable to resolve") && requirement.find()) {
                throw BosunException.precondition("bundle " + jar.file() + " (" + bundle.getSymbolicName()
                        + ") does not resolve: missing requirement " + requirement.group(1).strip()
                        + "; install what provides it first");
            }
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw BosunException.precondition("bundle " + jar.file() + " (" + bundle.getSymbolicName()
                    + ") does not start: " + firstLine(cause));
        } catch (IllegalStateException e) {
            throw BosunException.precondition("bundle " + jar.file() + " was uninstalled while starting");
        }
    }

    private void uninstallQuietly(Bundle bundle) {
        try {
            bundle.uninstall();
            refresh(List.of(bundle));
        } catch (BundleException | IllegalStateException | BosunException ignored) {
            // already gone
        }
    }

    /**
     * Refreshes the wires of {@code bundles} and waits until the framework has done it; then starts
     * again the bundles wired to them that ran before. Felix's refresh restarts only the dependents
     * that were ACTIVE: one lazily activated and not yet used (STARTING, as bosun's engines are until
     * a pod needs them) was left INSTALLED, so an update of a library such as org.bosun.stage1.rules
     * took every engine away.
     */
    private void refresh(List<Bundle> bundles) {
        FrameworkWiring wiring = context.getBundle(0).adapt(FrameworkWiring.class);
        List<Bundle> dependentsRunning = new ArrayList<>();
        for (Bundle b : wiring.getDependencyClosure(bundles)) {
            if (!bundles.contains(b) && (b.getState() & (Bundle.STARTING | Bundle.ACTIVE)) != 0) {
                dependentsRunning.add(b);
            }
        }
        awaitRefresh(wiring, bundles);
        for (Bundle b : dependentsRunning) {
            if ((b.getState() & (Bundle.STARTING | Bundle.ACTIVE | Bundle.UNINSTALLED)) == 0) {
                try {
                    b.start(b.getHeaders().get(org.osgi.framework.Constants.BUNDLE_ACTIVATIONPOLICY) != null
                            ? Bundle.START_ACTIVATION_POLICY : 0);
                } catch (BundleException | IllegalStateException e) {
                    throw BosunException.precondition("bundle " + b.getSymbolicName() + ", wired to "
                            + bundles.get(0).getSymbolicName() + ", does not start again after the change: "
                            + firstLine(e));
                }
            }
        }
    }

    private void awaitRefresh(FrameworkWiring wiring, List<Bundle> bundles) {
        CountDownLatch done = new CountDownLatch(1);
        wiring.refreshBundles(new ArrayList<>(bundles), event -> {
            if (event.getType() == FrameworkEvent.PACKAGES_REFRESHED || event.getType() == FrameworkEvent.ERROR) {
                done.countDown();
            }
        });
        try {
            if (!done.await(REFRESH_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                throw BosunException.deadlineExceeded("the framework did not refresh " + bundles + " within "
                        + REFRESH_TIMEOUT_SECONDS + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw BosunException.cancelled("interrupted while the framework refreshed " + bundles);
        }
    }

    static String firstLine(Throwable e) {
        String message = e.getMessage() == null ? e.toString() : e.getMessage();
        return message.lines().findFirst().orElse("").strip();
    }
}
