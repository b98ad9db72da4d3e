package org.bosun.itest;

import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.cleanCaches;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;
import static org.ops4j.pax.exam.CoreOptions.frameworkStartLevel;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.options;
import static org.ops4j.pax.exam.CoreOptions.systemPackage;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.jar.JarFile;
import java.util.stream.Stream;

import org.bosun.command.protocol.CommandService;
import org.bosun.command.protocol.Invocation;
import org.bosun.command.protocol.Outcome;
import org.bosun.launcher.Assembly;
import org.bosun.tck.common.TckPlatform;
import org.ops4j.pax.exam.Constants;
import org.ops4j.pax.exam.Option;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

/**
 * What every pax-exam test shares: the platform it boots, which is the one that ships (the bundles,
 * start levels, framework properties and component configurations of the feature {@code bosun
 * agent} boots, read from the built distribution by the launcher's own {@link Assembly}), and small
 * helpers that run inside the framework.
 */
final class Platform {
    /** Framework property naming the agent's unix socket (read by the agent bundle). */
    static final String AGENT_SOCKET = "bosun.agent.socket";
    /** Framework property listing the symbolic names of the shipped bundles, for the tests inside. */
    static final String SHIPPED_BUNDLES = "bosun.itest.shipped-bundles";

    private Platform() {
    }

    /** The distribution the launcher module built (failsafe's bosun.dist). */
    static Path dist() {
        return Path.of(System.getProperty("bosun.dist", "../launcher/target/bosun")).toAbsolutePath().normalize();
    }

    /**
     * The pax-exam configuration: Felix with exactly the platform {@code bosun agent} boots from the
     * distribution, plus only what the tests themselves need: the agent listening on a socket in a
     * fresh temporary directory (never the system's /run/bosun/agent.sock, which the directory is
     * removed with when this JVM exits), framework errors on the console, a clean cache, and
     * pax-exam's own bundles.
     */
    static Option[] configuration() throws IOException {
        Assembly shipped = Assembly.forCommand(dist(), "agent", List.of());
        List<Option> options = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (Assembly.Bundle b : shipped.bundles()) {
            options.add(bundle(b.file().toUri().toString()).startLevel(b.startLevel()));
            names.add(symbolicName(b.file()));
        }
        // pax-exam's probe bundle holds every test class of this module and loads each one, the *TckIT
        // classes too: the TCK suites they extend must be bundles in this framework as well.
        TckPlatform.tckBundles().forEach(jar -> options.add(bundle(jar).startLevel(shipped.startLevel())));
        shipped.systemPackages().forEach(p -> options.add(systemPackage(p)));
        shipped.frameworkProperties().forEach((k, v) -> options.add(frameworkProperty(k).value(v)));
        // The tests run once every shipped bundle has started (pax-exam's probe starts at level 5).
        options.add(frameworkStartLevel(Math.max(shipped.startLevel(), Constants.START_LEVEL_TEST_BUNDLE)));
        options.add(frameworkProperty(SHIPPED_BUNDLES).value(String.join(",", names)));

        Path socketDir = Files.createTempDirectory("bosun-itest-agent-");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteQuietly(socketDir), "bosun-itest-cleanup"));
        options.add(frameworkProperty(AGENT_SOCKET).value(socketDir.resolve("agent.sock").toString()));
        options.add(frameworkProperty("felix.log.level").value("1"));
        options.add(cleanCaches(true));
        options.add(testSupport());
        return options(options.toArray(new Option[0]));
    }

    /**
     * The test-support bundles, and nothing of bosun's: JUnit and the JUnit invoker in the framework,
     * so that @Before and @After run there too. (pax-exam also installs its own runtime bundles,
     * from its link files.)
     */
    private static Option testSupport() {
        return junitBundles();
    }

    /** The symbolic names of the shipped bundles, as {@link #configuration()} handed them to the framework. */
    static List<String> shippedBundles(BundleContext context) {
        String names = context.getProperty(SHIPPED_BUNDLES);
        if (names == null || names.isEmpty()) {
            throw new AssertionError("the framework property " + SHIPPED_BUNDLES + " is not set: not booted by"
                    + " Platform.configuration()");
        }
        return List.of(names.split(","));
    }

    private static String symbolicName(Path jar) throws IOException {
        try (JarFile file = new JarFile(jar.toFile())) {
            String name = file.getManifest().getMainAttributes().getValue("Bundle-SymbolicName");
            if (name == null) {
                throw new IllegalStateException(jar + " is not a bundle (no Bundle-SymbolicName)");
            }
            return name.split(";")[0].trim();
        }
    }

    /**
     * The service of {@code type} matching {@code filter} (may be null), waiting up to {@code seconds};
     * for {@code Object.class}, any service matching {@code filter}.
     */
    static <S> ServiceReference<S> awaitService(BundleContext context, Class<S> type, String filter, int seconds)
            throws InterruptedException {
        return TckPlatform.awaitService(context, type, filter, seconds);
    }

    /** Waits until {@code condition} holds, polling; false when it did not within {@code millis}. */
    static boolean eventually(long millis, BooleanSupplier condition) throws InterruptedException {
        return TckPlatform.eventually(millis, condition);
    }

    /** What one command printed and how it ended. */
    record Run(Outcome outcome, String stdout, String stderr) {
        int exitCode() {
            return outcome.exitCode();
        }

        @Override
        public String toString() {
            return "exit " + outcome.exitCode() + (outcome.plan() != null ? " with exec plan " + outcome.plan() : "")
                    + "\n--- stdout\n" + stdout + "--- stderr\n" + stderr;
        }
    }

    /** Runs {@code bosun ARGS} through the CommandService, as the launcher and the agent do. */
    static Run bosun(CommandService commands, Path cwd, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Invocation invocation = new Invocation(List.of(args), System.getenv(), cwd.toString(), 0, 0, false, 0);
        Outcome outcome = commands.execute(invocation, out, err);
        return new Run(outcome, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** Every pod directory under {@code pods/<state>/}, in any state. */
    static List<Path> podDirectories(Path dataDir) throws IOException {
        Path pods = dataDir.resolve("pods");
        List<Path> found = new ArrayList<>();
        if (!Files.isDirectory(pods)) {
            return found;
        }
        try (Stream<Path> states = Files.list(pods)) {
            for (Path state : (Iterable<Path>) states::iterator) {
                if (Files.isDirectory(state)) {
                    try (Stream<Path> entries = Files.list(state)) {
                        entries.forEach(found::add);
                    }
                }
            }
        }
        return found;
    }

    /**
     * Builds an ACI: a gzipped tar with the appc {@code manifest} and a {@code rootfs/} holding
     * only {@code /bin/busybox} (Debian's static busybox), made with the system's tar.
     */
    static Path buildBusyboxAci(Path workDir, String name) throws IOException, InterruptedException {
        return TckPlatform.busyboxAci(workDir, name);
    }

    /** Deletes a tree without following symbolic links, making read-only directories writable first. */
    static void deleteQuietly(Path root) {
        TckPlatform.deleteQuietly(root);
    }
}
