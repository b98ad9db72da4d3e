package org.bosun.launcher;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The extension bundles of a data directory, as {@code bosun bundle install} recorded them in
 * {@code <dir>/bundles/index.json}: every platform the launcher boots (a command's or the agent's)
 * installs them after its feature's bundles; an update of one of bosun's own swappable bundles
 * (an engine, image format, network or security bundle) is installed in place of the built-in jar
 * it {@code replaces}, where the feature has that jar. An index that cannot be read, or a jar that
 * is gone, is skipped here: {@code bosun bundle list} shows such a bundle as not loaded, and the commands
 * that change the index say what is wrong.
 */
final class Extensions {
    static final String FOLDER = "bundles";
    static final String INDEX = "index.json";
    /** The framework property naming the data directory whose extensions were loaded (the CLI reads it). */
    static final String DIR_PROPERTY = "bosun.extensions.dir";
    static final Path DEFAULT_DATA_DIR = Path.of("/var/lib/bosun");

    private Extensions() {
    }

    /**
     * The data directory a command names, as the CLI finds it: {@code --dir}, else the {@code data}
     * of the last {@code paths.d/*.json} file (system configuration's, then local's, each in name
     * order), else /var/lib/bosun.
     */
    static Path dataDir(String[] args) {
        String dir = Main.globalOption(args, "--dir", null);
        if (dir != null) {
            return Path.of(dir).toAbsolutePath().normalize();
        }
        Path data = DEFAULT_DATA_DIR;
        for (String config : List.of(Main.globalOption(args, "--system-config", "/usr/lib/bosun"),
                Main.globalOption(args, "--local-config", "/etc/bosun"))) {
            for (Path file : jsonFiles(Path.of(config).toAbsolutePath().resolve("paths.d"))) {
                try {
                    if (Json.parse(Files.readString(file)) instanceof Map<?, ?> map && map.get("data") instanceof String s
                            && "paths".equals(map.get("bosunKind"))) {
                        data = Path.of(s).toAbsolutePath().normalize();
                    }
                } catch (IOException | RuntimeException e) {
                    // the CLI refuses a bad configuration file with one line; the launcher just boots
                }
            }
        }
        return data;
    }

    private static List<Path> jsonFiles(Path folder) {
        List<Path> files = new ArrayList<>();
        if (!Files.isDirectory(folder)) {
            return files;
        }
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(folder, "*.json")) {
            stream.forEach(p -> {
                if (Files.isRegularFile(p)) {
                    files.add(p);
                }
            });
        } catch (IOException e) {
            return files;
        }
        files.sort(null);
        return files;
    }

    /**
     * One indexed jar.
     *
     * @param jar the jar in {@code <dir>/bundles/}
     * @param replaces the file name, in the distribution's {@code bundles/}, of the built-in bundle
     *        this jar is an update of; null for an extension of the vendor's own
     */
    record Extension(Path jar, String replaces) {
    }

    /** The jars the index of {@code dataDir} names, in its order; those that exist. */
    static List<Extension> jars(Path dataDir) {
        Path folder = dataDir.resolve(FOLDER);
        Path index = folder.resolve(INDEX);
        List<Extension> jars = new ArrayList<>();
        if (!Files.isRegularFile(index)) {
            return jars;
        }
        Object root;
        try {
            root = Json.parse(Files.readString(index));
        } catch (IOException | RuntimeException e) {
            return jars;
        }
        if (root instanceof Map<?, ?> map && map.get("bundles") instanceof List<?> list) {
            for (Object o : list) {
                if (o instanceof Map<?, ?> entry && entry.get("file") instanceof String file && isPlainFileName(file)
                        && Files.isRegularFile(folder.resolve(file))) {
                    Object replaces = entry.get("replaces");
                    if (replaces == null) {
                        jars.add(new Extension(folder.resolve(file), null));
                    } else if (replaces instanceof String builtIn && isPlainFileName(builtIn)) {
                        jars.add(new Extension(folder.resolve(file), builtIn));
                    }
                }
            }
        }
        return jars;
    }

    private static boolean isPlainFileName(String name) {
        return !name.isEmpty() && !name.contains("/") && !name.startsWith(".");
    }
}
