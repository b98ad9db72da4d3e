package org.bosun.api;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where one command finds its state and configuration: the data directory ({@code --dir}), the
 * local configuration ({@code --local-config}, overrides) and the system configuration
 * ({@code --system-config}, vendor defaults). Commands may name different directories, so every
 * service operation takes them as an argument instead of reading them once.
 */
public record RuntimePaths(Path dataDir, Path localConfigDir, Path systemConfigDir) {
    public static final Path DEFAULT_DATA_DIR = Path.of("/var/lib/bosun");
    public static final Path DEFAULT_LOCAL_CONFIG = Path.of("/etc/bosun");
    public static final Path DEFAULT_SYSTEM_CONFIG = Path.of("/usr/lib/bosun");

    public RuntimePaths {
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(localConfigDir, "localConfigDir");
        Objects.requireNonNull(systemConfigDir, "systemConfigDir");
        dataDir = dataDir.toAbsolutePath().normalize();
        localConfigDir = localConfigDir.toAbsolutePath().normalize();
        systemConfigDir = systemConfigDir.toAbsolutePath().normalize();
    }

    public static RuntimePaths defaults() {
        return new RuntimePaths(DEFAULT_DATA_DIR, DEFAULT_LOCAL_CONFIG, DEFAULT_SYSTEM_CONFIG);
    }

    /**
     * The directories a service of the agent was started with ({@code bosun --dir=D --local-config=L
     * --system-config=S agent}, which it reads as framework properties), each one not given (null or
     * empty) its default.
     *
     * @since 1.1
     */
    public static RuntimePaths of(String dataDir, String localConfigDir, String systemConfigDir) {
        return new RuntimePaths(given(dataDir) ? Path.of(dataDir) : DEFAULT_DATA_DIR,
                given(localConfigDir) ? Path.of(localConfigDir) : DEFAULT_LOCAL_CONFIG,
                given(systemConfigDir) ? Path.of(systemConfigDir) : DEFAULT_SYSTEM_CONFIG);
    }

    private static boolean given(String dir) {
        return dir != null && !dir.isEmpty();
    }

    public Path podsDir() {
        return dataDir.resolve("pods");
    }
}
