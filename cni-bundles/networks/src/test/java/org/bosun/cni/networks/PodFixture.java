package org.bosun.cni.networks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import org.bosun.api.RuntimePaths;
import org.bosun.api.net.NetworkAttachment;
import org.bosun.api.net.NetworkRequest;
import org.bosun.cni.api.CniArgs;
import org.bosun.cni.executor.CniExecutorImpl;

/**
 * Pods for the tests: a data directory, local and system configuration under a temporary folder
 * (so leases, caches and records never touch /var/lib), the real executor and plugins, and a
 * namespace per pod, named as the core names it and made as the core makes it (the namespace is
 * the core's, not the provider's); everything registered with the {@link Janitor}. The built-in
 * networks get subnets of their own ({@link Host#freeSubnet24}): on rkt's, with leases apart from
 * the host's pool, the test's pods would get the addresses of real pods and take their routes.
 */
final class PodFixture {
    static final List<Path> PLUGIN_DIRS = List.of(Path.of("/usr/lib/cni"));

    /** One pod: its uuid, directory and network namespace. */
    record Pod(String uuid, Path dir, Path netns) {
        String netnsName() {
            return netns.getFileName().toString();
        }
    }

    final RuntimePaths paths;
    final CniExecutorImpl executor = new CniExecutorImpl();
    /** {@code default} and {@code default-restricted} on the test's own subnets, leases in the data dir. */
    final BuiltinNetworks builtins;
    final CniNetworkProvider provider;
    private final Janitor janitor;

    PodFixture(Path root, Janitor janitor) throws IOException, InterruptedException {
        this.paths = new RuntimePaths(root.resolve("data"), root.resolve("local"), root.resolve("system"));
        this.builtins = new BuiltinNetworks(Host.freeSubnet24(), Host.freeSubnet24(), null);
        this.provider = provider(PLUGIN_DIRS);
        this.janitor = janitor;
    }

    /** Another provider with the test's built-in networks, searching {@code pluginDirs}. */
    CniNetworkProvider provider(List<Path> pluginDirs) {
        return new CniNetworkProvider(executor, pluginDirs, Duration.ofSeconds(30), builtins);
    }

    /** {@code 10.x.y.}: the addresses of {@code default}; the gateway is {@code .1}. */
    String defaultPrefix() {
        return Host.prefix24(builtins.defaultSubnet());
    }

    String restrictedPrefix() {
        return Host.prefix24(builtins.restrictedSubnet());
    }

    Pod newPod() throws IOException, InterruptedException {
        String uuid = UUID.randomUUID().toString();
        Path dir = paths.podsDir().resolve("run").resolve(uuid);
        janitor.pod(provider, dir, uuid);
        String name = "bosun-" + uuid.substring(0, 8);
        janitor.netns(name);
        Host.check("ip", "netns", "add", name);
        return new Pod(uuid, dir, Path.of("/run/netns", name));
    }

    /** What the core does once the provider has detached the pod: removes its namespace. */
    void removeNetns(Pod pod) throws IOException, InterruptedException {
        Host.check("ip", "netns", "delete", pod.netnsName());
    }

    List<NetworkAttachment> attach(Pod pod, String net) {
        return provider.attach(new NetworkRequest(paths, pod.uuid(), pod.dir(), pod.netns(), CniArgs.parseNetworks(net)));
    }

    /** Writes a network configuration into the local (or system) net.d. */
    Path netd(boolean local, String fileName, String json) throws IOException {
        Path dir = NetworkCatalog.netd(local ? paths.localConfigDir() : paths.systemConfigDir());
        Files.createDirectories(dir);
        return Files.writeString(dir.resolve(fileName), json);
    }

    Path ipamDir() {
        return NetworkCatalog.ipamDir(paths);
    }

    Path cacheDir() {
        return NetworkCatalog.cacheDir(paths);
    }

    List<Path> cacheFiles() throws IOException {
        if (!Files.isDirectory(cacheDir())) {
            return List.of();
        }
        try (var files = Files.list(cacheDir())) {
            return files.toList();
        }
    }
}
