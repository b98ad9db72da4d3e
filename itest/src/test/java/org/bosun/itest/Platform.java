package org.bosun.itest;

import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.cleanCaches;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.options;
import static org.ops4j.pax.exam.CoreOptions.systemPackage;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import org.bosun.launch.CommandService;
import org.bosun.launch.Invocation;
import org.bosun.launch.Outcome;
import org.ops4j.pax.exam.Option;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Filter;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.util.tracker.ServiceTracker;

/**
 * What every integration test shares: the platform pax-exam boots (the bosun bundles from the
 * reactor and their third-party bundles, provisioned from {@code target/bundles}), and small
 * helpers that run inside the framework.
 */
final class Platform {
    /** Framework property naming the agent's unix socket (read by the agent bundle). */
    static final String AGENT_SOCKET = "bosun.agent.socket";

    /**
     * The bundles under test, in install order: the file names that copy-dependencies writes into
     * target/bundles (versions stripped), and each one's Bundle-SymbolicName.
     */
    static final Map<String, String> BUNDLES = linked(
            "org.osgi.util.function.jar", "org.osgi.util.function",
            "org.osgi.util.promise.jar", "org.osgi.util.promise",
            "org.osgi.service.component.jar", "org.osgi.service.component",
            "org.apache.felix.configadmin.jar", "org.apache.felix.configadmin",
            "org.apache.felix.scr.jar", "org.apache.felix.scr",
            "org.apache.felix.gogo.runtime.jar", "org.apache.felix.gogo.runtime",
            "org.apache.felix.gogo.command.jar", "org.apache.felix.gogo.command",
            "jackson-annotations.jar", "com.fasterxml.jackson.core.jackson-annotations",
            "jackson-core.jar", "com.fasterxml.jackson.core.jackson-core",
            "jackson-databind.jar", "com.fasterxml.jackson.core.jackson-databind",
            "picocli.jar", "picocli",
            // commons-compress imports these "optionally" but its tar reader needs io and lang3:
            // they must be installed before it resolves.
            "commons-io.jar", "org.apache.commons.commons-io",
            "commons-lang3.jar", "org.apache.commons.lang3",
            "commons-codec.jar", "org.apache.commons.commons-codec",
            "xz.jar", "org.tukaani.xz",
            "commons-compress.jar", "org.apache.commons.commons-compress",
            "bcprov-jdk18on.jar", "bcprov",
            "bcutil-jdk18on.jar", "bcutil",
            "bcpg-jdk18on.jar", "bcpg",
            "bosun-launch.jar", "org.bosun.launch",
            "bosun-lib-jnr.jar", "org.bosun.lib.jnr",
            "bosun-api.jar", "org.bosun.api",
            "bosun-host.jar", "org.bosun.host",
            "bosun-core.jar", "org.bosun.core",
            "bosun-stage1-fly.jar", "org.bosun.stage1.fly",
            "bosun-security-capabilities.jar", "org.bosun.security.capabilities",
            "bosun-seccomp-bpf.jar", "org.bosun.seccomp.bpf",
            "bosun-security-seccomp.jar", "org.bosun.security.seccomp",
            "bosun-security-paths.jar", "org.bosun.security.paths",
            "bosun-security-tpm.jar", "org.bosun.security.tpm",
            "bosun-security-selinux.jar", "org.bosun.security.selinux",
            "bosun-stage1-support.jar", "org.bosun.stage1.support",
            "bosun-stage1-nspawn.jar", "org.bosun.stage1.nspawn",
            "bosun-stage1-oci.jar", "org.bosun.stage1.oci",
            "bosun-cni-api.jar", "org.bosun.cni.api",
            "bosun-cni-executor.jar", "org.bosun.cni.executor",
            "bosun-cni-networks.jar", "org.bosun.cni.networks",
            "bosun-trust.jar", "org.bosun.trust",
            "h2.jar", "com.h2database",
            "bosun-store.jar", "org.bosun.store",
            "bosun-image-appc.jar", "org.bosun.image.appc",
            "bosun-image-oci.jar", "org.bosun.image.oci",
            "bosun-image-docker.jar", "org.bosun.image.docker",
            "bosun-cli.jar", "org.bosun.cli",
            "bosun-agent.jar", "org.bosun.agent",
            "bosun-shell.jar", "org.bosun.shell");

    private Platform() {
    }

    private static Map<String, String> linked(String... pairs) {
        Map<String, String> map = new java.util.LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            map.put(pairs[i], pairs[i + 1]);
        }
        return java.util.Collections.unmodifiableMap(map);
    }

    /** Where the pom's copy-dependencies put the bundles under test. */
    static Path bundlesDir() {
        return Path.of(System.getProperty("bosun.itest.bundles", "target/bundles")).toAbsolutePath();
    }

    /**
     * The pax-exam configuration: Felix with every bundle of {@link #BUNDLES}, and the agent
     * listening on a socket in a fresh temporary directory (never the system's
     * /run/bosun/agent.sock). The directory is removed when this JVM exits, after the framework
     * has stopped.
     */
    static Option[] configuration() throws IOException {
        Path dir = bundlesDir();
        List<Option> options = new ArrayList<>();
        for (String file : BUNDLES.keySet()) {
            Path jar = dir.resolve(file);
            if (!Files.isRegularFile(jar)) {
                throw new IllegalStateException(jar + " is missing: the pom's copy-dependencies execution"
                        + " (phase pre-integration-test) should have put it there; run 'mvn -pl itest verify'");
            }
            options.add(bundle(jar.toUri().toString()));
        }
        Path socketDir = Files.createTempDirectory("bosun-itest-agent-");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteQuietly(socketDir), "bosun-itest-cleanup"));
        options.add(frameworkProperty(AGENT_SOCKET).value(socketDir.resolve("agent.sock").toString()));
        // jnr and jffi use sun.misc.Unsafe.
        options.add(systemPackage("sun.misc"));
        options.add(frameworkProperty("felix.log.level").value("1"));
        options.add(cleanCaches(true));
        // JUnit in the framework, and the JUnit invoker, so that @Before and @After run there too.
        options.add(junitBundles());
        return options(options.toArray(new Option[0]));
    }

    /**
     * The service of {@code type} matching {@code filter} (may be null), waiting up to {@code seconds};
     * for {@code Object.class}, any service matching {@code filter}.
     */
    static <S> ServiceReference<S> awaitService(BundleContext context, Class<S> type, String filter, int seconds)
            throws InterruptedException {
        // Object.class: any service matching the filter, whatever its interfaces (Gogo commands).
        String full = type == Object.class ? filter : "(objectClass=" + type.getName() + ")";
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
                throw new AssertionError("no " + type.getSimpleName() + " service matching " + full + " within "
                        + seconds + " s");
            }
            return tracker.getServiceReference();
        } finally {
            tracker.close();
        }
    }

    /** Waits until {@code condition} holds, polling; false when it did not within {@code millis}. */
    static boolean eventually(long millis, BooleanSupplier condition) throws InterruptedException {
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
        Path src = workDir.resolve("aci-src");
        Path bin = src.resolve("rootfs/bin");
        Files.createDirectories(bin);
        Path busybox = Path.of("/bin/busybox");
        if (!Files.isExecutable(busybox)) {
            throw new AssertionError("/bin/busybox is needed to build the test image (apt-get install busybox-static)");
        }
        Files.copy(busybox, bin.resolve("busybox"));
        bin.resolve("busybox").toFile().setExecutable(true, false);
        Files.writeString(src.resolve("manifest"), """
                {"acKind":"ImageManifest","acVersion":"0.8.11","name":"%s",\
                "labels":[{"name":"os","value":"linux"},{"name":"arch","value":"amd64"}],\
                "app":{"exec":["/bin/busybox","true"],"user":"0","group":"0"}}
                """.formatted(name));
        Path aci = workDir.resolve("itest.aci");
        Process tar = new ProcessBuilder("tar", "--numeric-owner", "--owner=0", "--group=0", "-czf", aci.toString(),
                "-C", src.toString(), "manifest", "rootfs")
                .redirectErrorStream(true).start();
        String output = new String(tar.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!tar.waitFor(60, TimeUnit.SECONDS) || tar.exitValue() != 0) {
            tar.destroyForcibly();
            throw new AssertionError("tar failed to build " + aci + ": " + output);
        }
        deleteQuietly(src);
        return aci;
    }

    /** Deletes a tree without following symbolic links, making read-only directories writable first. */
    static void deleteQuietly(Path root) {
        if (root == null || !Files.exists(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
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
            System.err.println("itest: could not delete " + root + ": " + e);
        }
    }
}
