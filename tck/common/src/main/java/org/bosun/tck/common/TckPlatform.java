package org.bosun.tck.common;

import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.cleanCaches;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;
import static org.ops4j.pax.exam.CoreOptions.frameworkStartLevel;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.options;
import static org.ops4j.pax.exam.CoreOptions.systemPackage;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.bosun.command.protocol.CommandService;
import org.bosun.command.protocol.Invocation;
import org.bosun.command.protocol.Outcome;
import org.bosun.launcher.Assembly;
import org.ops4j.pax.exam.Option;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Filter;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.util.tracker.ServiceTracker;

/**
 * The framework a TCK runs in, and helpers for the tests inside it.
 * <p>
 * The framework is a bosun distribution's own platform (the bundles, start levels, framework
 * properties and configurations the feature of {@code bosun agent} boots, read by the launcher's
 * {@link Assembly}) plus the bundles under test and the TCK's bundles. Settings, as system
 * properties of the JVM that runs the tests:
 * <ul>
 * <li>{@value #DIST}: the bosun distribution (the directory with {@code bin/bosun} and
 * {@code features/}); required;</li>
 * <li>{@value #BUNDLES}: extra bundles to install and start (the implementation under test), as
 * file paths or URLs separated by commas; none by default.</li>
 * </ul>
 */
public final class TckPlatform {
    /** System property: the bosun distribution the TCK boots. */
    public static final String DIST = "bosun.dist";
    /** System property: the bundles under test, comma-separated paths or URLs. */
    public static final String BUNDLES = "bosun.tck.bundles";
    /** Framework property naming the agent's unix socket (read by the agent bundle). */
    public static final String AGENT_SOCKET = "bosun.agent.socket";
    /** The start level of the bundles under test: after the platform's own. */
    private static final int EXTRA_START_LEVEL = 4;

    private TckPlatform() {
    }

    /** The distribution ({@value #DIST}); fails with what to set when it is missing. */
    public static Path dist() {
        String dist = System.getProperty(DIST);
        if (dist == null || dist.isBlank()) {
            throw new IllegalStateException("system property " + DIST + " is not set: point it at a bosun distribution"
                    + " (the directory with bin/bosun, e.g. launcher/target/bosun)");
        }
        Path path = Path.of(dist).toAbsolutePath().normalize();
        if (!Files.isExecutable(path.resolve("bin/bosun"))) {
            throw new IllegalStateException(DIST + "=" + path + " has no bin/bosun: build the distribution first");
        }
        return path;
    }

    /**
     * The pax-exam configuration: the distribution's {@code agent} platform, the bundles of
     * {@value #BUNDLES} and {@code extraBundles}, the TCK bundles holding {@code tckClasses}, the
     * agent on a socket in a fresh temporary directory, a clean cache, and JUnit.
     */
    public static Option[] configuration(List<String> extraBundles, Class<?>... tckClasses) throws IOException {
        Path dist = dist();
        Assembly shipped = Assembly.forCommand(dist, "agent", List.of());
        List<Option> options = new ArrayList<>();
        for (Assembly.Bundle b : shipped.bundles()) {
            options.add(bundle(b.file().toUri().toString()).startLevel(b.startLevel()));
        }
        shipped.systemPackages().forEach(p -> options.add(systemPackage(p)));
        shipped.frameworkProperties().forEach((k, v) -> options.add(frameworkProperty(k).value(v)));
        int level = Math.max(shipped.startLevel(), EXTRA_START_LEVEL);
        List<String> extra = new ArrayList<>(extraBundles);
        String property = System.getProperty(BUNDLES, "");
        for (String b : property.split(",")) {
            if (!b.isBlank()) {
                extra.add(b.strip());
            }
        }
        for (String b : extra) {
            options.add(bundle(url(b)).startLevel(level));
        }
        List<String> tck = tckBundles();
        for (Class<?> c : tckClasses) {
            String jar = jarOf(c);
            if (!tck.contains(jar)) {
                tck.add(jar);
            }
        }
        tck.forEach(jar -> options.add(bundle(jar).startLevel(level)));
        // pax-exam's probe (the test classes) starts at level 5; everything else before it.
        options.add(frameworkStartLevel(Math.max(level, 5)));
        Path socketDir = Files.createTempDirectory("bosun-tck-agent-");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteQuietly(socketDir), "bosun-tck-cleanup"));
        options.add(frameworkProperty(AGENT_SOCKET).value(socketDir.resolve("agent.sock").toString()));
        options.add(frameworkProperty("felix.log.level").value("1"));
        options.add(cleanCaches(true));
        options.add(junitBundles());
        return options(options.toArray(new Option[0]));
    }

    /** The suites of bosun's TCKs, by class name: whichever of them the test class path holds. */
    private static final List<String> TCK_SUITES = List.of("org.bosun.tck.stage1.Stage1EngineTck",
            "org.bosun.tck.image.ImageFormatTck");

    /**
     * The jars (URLs) of this class and of every TCK suite on the test class path, to install as
     * bundles: pax-exam's probe bundle holds all the test classes of the module and loads each of
     * them, so every framework of a module that has TCK test classes needs every TCK bundle, also
     * the frameworks of its tests that are not TCK runs.
     */
    public static List<String> tckBundles() {
        List<String> jars = new ArrayList<>();
        jars.add(jarOf(TckPlatform.class));
        for (String name : TCK_SUITES) {
            try {
                String jar = jarOf(Class.forName(name, false, TckPlatform.class.getClassLoader()));
                if (!jars.contains(jar)) {
                    jars.add(jar);
                }
            } catch (ClassNotFoundException absent) {
                // that TCK is not used here
            }
        }
        return jars;
    }

    private static String url(String bundle) {
        if (bundle.matches("[a-z]+:.*")) {
            return bundle;
        }
        Path file = Path.of(bundle).toAbsolutePath().normalize();
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException(BUNDLES + " names " + file + ", which is not a file; give bundle jars");
        }
        return file.toUri().toString();
    }

    /** The jar a TCK class was loaded from: it is installed as a bundle so the test probe can use it. */
    private static String jarOf(Class<?> c) {
        try {
            Path location = Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (!Files.isRegularFile(location)) {
                throw new IllegalStateException(c.getName() + " was loaded from " + location + ", not from a jar: run the"
                        + " TCK from its installed artifact (mvn install the tck modules first)");
            }
            return location.toUri().toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The service of {@code type} matching {@code filter} (may be null), waiting up to {@code seconds};
     * for {@code Object.class}, any service matching {@code filter}, whatever its interfaces (Gogo
     * commands register under no interface of their own).
     */
    public static <S> ServiceReference<S> awaitService(BundleContext context, Class<S> type, String filter, int seconds)
            throws InterruptedException {
        String full = type == Object.class && filter != null ? filter : "(objectClass=" + type.getName() + ")";
        if (filter != null && type != Object.class) {
            full = "(&" + full + filter + ")";
        }
        Filter f;
        try {
            f = FrameworkUtil.createFilter(full);
        } catch (InvalidSyntaxException e) {
            throw new IllegalArgumentException(e);
        }
        ServiceTracker<S, S> tracker = new ServiceTracker<>(context, f, null);
        tracker.open();
        try {
            if (tracker.waitForService(TimeUnit.SECONDS.toMillis(seconds)) == null) {
                throw new AssertionError("no " + type.getSimpleName() + " service matching " + full + " within " + seconds
                        + " s; is the bundle under test installed (" + BUNDLES + ") and active?");
            }
            return tracker.getServiceReference();
        } finally {
            tracker.close();
        }
    }

    /** Waits until {@code condition} holds, polling; false when it did not within {@code millis}. */
    public static boolean eventually(long millis, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (true) {
            if (condition.getAsBoolean()) {
                return true;
            }
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(100);
        }
    }

    /** What one command printed and how it ended. */
    public record Run(int exitCode, String stdout, String stderr) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + stdout + "--- stderr\n" + stderr;
        }
    }

    /** Runs {@code bosun ARGS} in this framework through its CommandService, as the agent does. */
    public static Run bosun(CommandService commands, Path cwd, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Invocation invocation = new Invocation(List.of(args), System.getenv(), cwd.toString(), 0, 0, false, 0);
        Outcome outcome = commands.execute(invocation, out, err);
        return new Run(outcome.exitCode(), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /**
     * Starts the distribution's {@code bin/bosun ARGS} as a child process that hands its command to
     * the agent of this framework (so the bundles under test serve it) and execs the plan it gets
     * back: for {@code run}, the child becomes the pod. Its output goes to {@code out} and {@code err}.
     */
    public static Process launcher(BundleContext context, Path cwd, Path out, Path err, List<String> args)
            throws IOException {
        List<String> command = new ArrayList<>();
        command.add(dist().resolve("bin/bosun").toString());
        command.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(command).directory(cwd.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().put("BOSUN_AGENT", "connect"); // this framework's agent only, never another one
        pb.environment().remove("BOSUN_JAVA_OPTS");
        pb.environment().put("BOSUN_AGENT_SOCKET", context.getProperty(AGENT_SOCKET));
        pb.environment().put("BOSUN_JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
        pb.environment().put("BOSUN_CACHE_DIR", cwd.resolve("felix-cache").toString());
        return pb.start();
    }

    /** Waits for the agent of this framework to listen on its socket. */
    public static void awaitAgent(BundleContext context) throws InterruptedException {
        Path socket = Path.of(context.getProperty(AGENT_SOCKET));
        if (!eventually(60_000, () -> Files.exists(socket))) {
            throw new AssertionError("the agent of the framework does not listen on " + socket + " after 60 s");
        }
    }

    /**
     * A root filesystem with only {@code /bin/busybox} (Debian's static busybox, package
     * busybox-static) in {@code dir}.
     */
    public static Path busyboxRootfs(Path dir) throws IOException {
        Path busybox = Path.of("/bin/busybox");
        if (!Files.isExecutable(busybox)) {
            throw new AssertionError("/bin/busybox is needed to build the TCK's test image (apt-get install busybox-static)");
        }
        Path bin = dir.resolve("bin");
        Files.createDirectories(bin);
        Files.copy(busybox, bin.resolve("busybox"));
        bin.resolve("busybox").toFile().setExecutable(true, false);
        return dir;
    }

    /**
     * Builds an ACI (appc image: a gzipped tar of {@code manifest} and {@code rootfs/}) with the
     * system's tar from {@code manifestJson} and the tree {@code rootfs}.
     */
    public static Path aci(Path workDir, String fileName, String manifestJson, Path rootfs)
            throws IOException, InterruptedException {
        Path src = Files.createTempDirectory(workDir, "aci-src-");
        Files.writeString(src.resolve("manifest"), manifestJson);
        copyTree(rootfs, src.resolve("rootfs"));
        Path aci = workDir.resolve(fileName);
        exec(List.of("tar", "--numeric-owner", "--owner=0", "--group=0", "--sort=name", "--mtime=@0", "-czf",
                aci.toString(), "-C", src.toString(), "manifest", "rootfs"));
        deleteQuietly(src);
        return aci;
    }

    /** An ACI of the busybox rootfs whose app runs {@code /bin/busybox true} as root. */
    public static Path busyboxAci(Path workDir, String name) throws IOException, InterruptedException {
        Path rootfs = busyboxRootfs(Files.createTempDirectory(workDir, "rootfs-"));
        try {
            return aci(workDir, "tck-" + name.replaceAll("[^A-Za-z0-9]", "-") + ".aci", """
                    {"acKind":"ImageManifest","acVersion":"0.8.11","name":"%s",\
                    "labels":[{"name":"os","value":"linux"},{"name":"arch","value":"amd64"}],\
                    "app":{"exec":["/bin/busybox","true"],"user":"0","group":"0"}}
                    """.formatted(name), rootfs);
        } finally {
            deleteQuietly(rootfs);
        }
    }

    /** Copies a tree with the system's cp (modes and links kept). */
    public static void copyTree(Path from, Path to) throws IOException, InterruptedException {
        exec(List.of("cp", "-a", from.toString(), to.toString()));
    }

    /** Runs a host tool, failing with its output when it does not exit 0 within 2 minutes. */
    public static String exec(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " failed: " + output);
        }
        return output;
    }

    /** Deletes a tree without following symbolic links, making read-only directories writable first. */
    public static void deleteQuietly(Path root) {
        if (root == null || !Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
                    d.toFile().setWritable(true, true);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException exc) {
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                    Files.deleteIfExists(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (NoSuchFileException gone) {
            // already gone
        } catch (IOException e) {
            System.err.println("bosun TCK: could not delete " + root + ": " + e);
        }
    }
}
