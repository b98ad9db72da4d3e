package org.bosun.host.config;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

import org.bosun.api.BosunException;
import org.bosun.api.RuntimePaths;

/**
 * One kind's configuration folder, {@code NAME.d}, in the system configuration directory
 * ({@code /usr/lib/bosun}) and in the local one ({@code /etc/bosun}), as rkt kept them: the local
 * configuration overrides the system one. A missing folder (or a file where the folder would be)
 * holds nothing; a folder that cannot be read is refused with one line naming it. Files are listed
 * by a glob on their names ({@code *.json}, {@code *.{conf,conflist}}), directories never, in file
 * name order, so the same files always give the same configuration.
 *
 * <p>How files combine is the caller's: {@link #files} for "a later file overrides an earlier one",
 * {@link #byName} for "a local file replaces the system file of its name", {@link #find} for "the
 * local file of that name, else the system one".
 */
public final class ConfigFolder {
    private final Path system;
    private final Path local;

    /**
     * @param systemConfigDir the system configuration directory
     * @param localConfigDir the local configuration directory
     * @param name the folder's name in each, {@code net.d}
     */
    public ConfigFolder(Path systemConfigDir, Path localConfigDir, String name) {
        this.system = systemConfigDir.resolve(name);
        this.local = localConfigDir.resolve(name);
    }

    /** The folder {@code name} of {@code paths}' configuration directories. */
    public static ConfigFolder of(RuntimePaths paths, String name) {
        return new ConfigFolder(paths.systemConfigDir(), paths.localConfigDir(), name);
    }

    /** The folder in the system configuration directory. */
    public Path system() {
        return system;
    }

    /** The folder in the local configuration directory. */
    public Path local() {
        return local;
    }

    /**
     * The files matching {@code glob}: the system folder's, then the local folder's, each in file
     * name order; read in this order, a later file overrides an earlier one.
     */
    public List<Path> files(String glob) {
        List<Path> files = new ArrayList<>(list(system, glob));
        files.addAll(list(local, glob));
        return files;
    }

    /** The files matching {@code glob} by file name, in name order; a local file replaces the system file of its name. */
    public SortedMap<String, Path> byName(String glob) {
        SortedMap<String, Path> byName = new TreeMap<>();
        for (Path file : files(glob)) {
            byName.put(file.getFileName().toString(), file);
        }
        return byName;
    }

    /** The file {@code fileName} of the local folder, else of the system folder; empty when neither has it. */
    public Optional<Path> find(String fileName) {
        for (Path folder : List.of(local, system)) {
            Path file = folder.resolve(fileName);
            if (Files.isRegularFile(file)) {
                return Optional.of(file);
            }
        }
        return Optional.empty();
    }

    /**
     * The entries of {@code dir} matching {@code glob} that are not directories, in file name
     * order; none when {@code dir} does not exist or is no directory.
     */
    public static List<Path> list(Path dir, String glob) {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, glob)) {
            for (Path entry : entries) {
                if (!Files.isDirectory(entry)) {
                    files.add(entry);
                }
            }
        } catch (NoSuchFileException | NotDirectoryException e) {
            return List.of();
        } catch (IOException e) {
            throw BosunException.precondition("cannot read the configuration directory " + dir + " (" + e.getMessage()
                    + "); make it readable to this user or remove it");
        }
        files.sort(Comparator.comparing(p -> p.getFileName().toString()));
        return files;
    }
}
