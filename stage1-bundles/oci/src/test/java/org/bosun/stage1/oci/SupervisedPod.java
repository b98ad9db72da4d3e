package org.bosun.stage1.oci;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.bosun.api.stage1.PodDirectory;
import org.bosun.host.cgroup.CgroupTree;

/**
 * A pod directory as the oci engine prepares it, with the engine's own scripts and a plan, whose
 * containers a stand-in runtime ({@code stub-runtime}, a shell script that records its calls) runs:
 * each container's process is the shell script {@code process} in its bundle. Run for real, as
 * root: the pod's cgroups (below this process's, removed by {@link #close}), its namespaces, mounts
 * and output pipes are the real ones.
 */
final class SupervisedPod implements AutoCloseable {
    final String uuid = UUID.randomUUID().toString();
    final Path dir;
    final Path pod;
    final Path runtime;
    private final List<PodPlan.App> apps = new ArrayList<>();
    private final List<String> infraConfigs = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();
    private OciRuntime kind = OciRuntime.RUNC;
    private boolean interactive;
    private boolean infra;
    private String hostname;
    private int stopTimeout = 10;
    private long logMaxBytes = PodPlan.LOG_MAX_BYTES;
    private boolean sandbox;
    private Path pidHolder;
    private Path netns;
    private java.util.Map<String, String> sysctls = java.util.Map.of();
    private Process process;

    SupervisedPod(Path dir) throws IOException {
        this.dir = dir;
        this.pod = Files.createDirectories(dir.resolve("pods/run").resolve(uuid));
        Path stub = Files.createDirectories(dir.resolve("stub"));
        this.runtime = stub.resolve("runtime");
        Files.writeString(runtime, resource("stub-runtime"));
        Files.setPosixFilePermissions(runtime, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createDirectories(pod.resolve("engine").resolve(OciEngine.STATE_DIR));
        Files.createDirectories(pod.resolve("engine").resolve(OciEngine.IO_DIR));
        for (String script : SupervisorScript.SCRIPTS) {
            Path file = pod.resolve("engine").resolve(script);
            Files.writeString(file, SupervisorScript.text(script));
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    static String resource(String name) {
        try (InputStream in = SupervisedPod.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An app whose container runs {@code process} (sh). */
    SupervisedPod app(String name, String process) throws IOException {
        return app(name, process, null, null);
    }

    SupervisedPod app(String name, String process, String overlayOptions, String overlayTarget) throws IOException {
        apps.add(new PodPlan.App(name, overlayOptions, overlayTarget));
        Files.createDirectories(pod.resolve("apps").resolve(name));
        return container(ContainerSpecs.appId(name), process);
    }

    /** An event handler ({@code pre-start}, {@code post-stop}) of {@code app}. */
    SupervisedPod handler(String handler, String app, String process) throws IOException {
        return container(ContainerSpecs.handlerId(handler, app), process);
    }

    private SupervisedPod container(String id, String process) throws IOException {
        Path bundle = Files.createDirectories(pod.resolve("engine/bundles").resolve(id));
        Files.writeString(bundle.resolve("process"), process);
        Files.writeString(bundle.resolve(ContainerSpecs.CONFIG), "{}\n");
        return this;
    }

    /**
     * An infra container; the containers named join its namespaces, their config.json written by
     * the supervisor from {@code template} (the engine's placeholder in it).
     */
    SupervisedPod infra(String template, String... ids) throws IOException {
        infra = true;
        Path bundle = Files.createDirectories(pod.resolve("engine/bundles").resolve(ContainerSpecs.INFRA));
        Files.writeString(bundle.resolve(ContainerSpecs.CONFIG), "{}\n");
        for (String id : ids) {
            Path config = pod.resolve("engine/bundles").resolve(id);
            Files.delete(config.resolve(ContainerSpecs.CONFIG));
            Files.writeString(config.resolve(ContainerSpecs.TEMPLATE), template);
            infraConfigs.add("engine/bundles/" + id + "/" + ContainerSpecs.TEMPLATE);
        }
        return this;
    }

    /**
     * The apps share a PID namespace, held by {@code holder}; the containers named get their config.json
     * from {@code template} (the engine's placeholder in it) when they start.
     */
    SupervisedPod sharedPid(Path holder, String template, String... ids) throws IOException {
        pidHolder = holder;
        for (String id : ids) {
            Path config = pod.resolve("engine/bundles").resolve(id);
            Files.delete(config.resolve(ContainerSpecs.CONFIG));
            Files.writeString(config.resolve(ContainerSpecs.TEMPLATE), template);
            if (apps.stream().anyMatch(a -> ContainerSpecs.appId(a.name()).equals(id))) {
                infraConfigs.add("engine/bundles/" + id + "/" + ContainerSpecs.TEMPLATE);
            }
        }
        return this;
    }

    /** The pod's sysctls, the network ones set in {@code netns}. */
    SupervisedPod sysctls(Path netns, java.util.Map<String, String> sysctls) {
        this.netns = netns;
        this.sysctls = sysctls;
        return this;
    }

    SupervisedPod runtime(OciRuntime kind) {
        this.kind = kind;
        return this;
    }

    SupervisedPod interactive() {
        interactive = true;
        return this;
    }

    SupervisedPod hostname(String hostname) {
        this.hostname = hostname;
        return this;
    }

    SupervisedPod stopTimeout(int seconds) {
        stopTimeout = seconds;
        return this;
    }

    SupervisedPod logMaxBytes(long bytes) {
        logMaxBytes = bytes;
        return this;
    }

    /** A sandbox: it runs until stopped, and takes app requests ({@link #request}). */
    SupervisedPod sandbox() {
        sandbox = true;
        return this;
    }

    /** An app added to the sandbox, as OciEngine#add writes it: its bundle and engine/added/NAME. */
    SupervisedPod added(String name, String process) throws IOException {
        Files.createDirectories(pod.resolve("apps").resolve(name));
        Path plan = Files.createDirectories(pod.resolve("engine").resolve(PodPlan.ADDED)).resolve(name);
        Files.writeString(plan, PodPlan.appText(new PodPlan.App(name, null, null)));
        return container(ContainerSpecs.appId(name), process);
    }

    /** An added app whose output is also kept at {@code criLog} in the CRI log format (its plan line). */
    SupervisedPod added(String name, String process, Path criLog) throws IOException {
        added(name, process);
        Path plan = pod.resolve("engine").resolve(PodPlan.ADDED).resolve(name);
        Files.writeString(plan, Files.readString(plan) + new org.bosun.api.app.AppIo(null, null, null,
                criLog.toString()).text());
        return this;
    }

    /** Hands the running sandbox a request as the engine does, and waits for its answer. */
    void request(String verb, String app, String arg) {
        OciEngine.request(new PodDirectory(uuid, pod, List.of(), java.util.Map.of()), verb, app, arg);
    }

    SupervisedPod warning(String warning) {
        warnings.add(warning);
        return this;
    }

    PodPlan plan() {
        return new PodPlan(PodCgroups.name(uuid), kind, runtime, apps, interactive, stopTimeout, warnings,
                HostLimits.awkIsMawk(), infra, hostname, infraConfigs, logMaxBytes, PodPlan.LOG_KEEP, sandbox, false,
                pidHolder, netns, sysctls);
    }

    /** Writes the plan (unless one was written) and execs engine/run, as bosun run does. */
    Process start() throws IOException {
        Path plan = pod.resolve("engine").resolve(PodPlan.FILE);
        if (!Files.exists(plan)) {
            Files.writeString(plan, plan().text());
        }
        process = new ProcessBuilder(SupervisorScript.SH, pod.resolve("engine/run").toString())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        return process;
    }

    /** Runs the pod to its end. */
    Result run() throws Exception {
        start();
        return result();
    }

    /** Waits for the pod's end; its exit code and what it wrote. */
    Result result() throws Exception {
        CompletableFuture<String> out = read(process.getInputStream());
        CompletableFuture<String> err = read(process.getErrorStream());
        if (!process.waitFor(40, TimeUnit.SECONDS)) {
            throw new AssertionError("the pod did not end; stderr so far: " + err.getNow(""));
        }
        return new Result(process.exitValue(), out.get(5, TimeUnit.SECONDS), err.get(5, TimeUnit.SECONDS));
    }

    private static CompletableFuture<String> read(InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /** The runtime's calls so far, each as its arguments joined by blanks. */
    List<String> calls() throws IOException {
        try {
            return Files.readAllLines(runtime.resolveSibling("calls"));
        } catch (NoSuchFileException e) {
            return List.of();
        }
    }

    /** Waits until {@code file} (relative to the pod) exists. */
    void await(String file) throws InterruptedException {
        for (int i = 0; i < 2000 && !Files.exists(pod.resolve(file)); i++) {
            if (process != null && !process.isAlive()) {
                throw new AssertionError("the pod ended before " + file + " appeared");
            }
            Thread.sleep(10);
        }
        if (!Files.exists(pod.resolve(file))) {
            throw new AssertionError(file + " did not appear");
        }
    }

    /** Stops whatever of the pod is left, removes its cgroups and its directory. */
    @Override
    public void close() throws IOException {
        List<Path> cgroups = PodCgroups.recorded(pod.resolve("engine"), uuid);
        CgroupTree.kill(cgroups);
        if (process != null) {
            process.destroyForcibly();
        }
        List<String> failed = CgroupTree.remove(cgroups);
        try (var walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
        if (!failed.isEmpty()) {
            throw new AssertionError("the pod's cgroups were left behind: " + failed);
        }
    }

    record Result(int exitCode, String stdout, String stderr) {
    }
}
