package org.bosun.cri;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.bosun.api.BosunException;

/**
 * The network a sandbox joins, by Kubernetes' convention (libcni's {@code ConfFiles}, as containerd
 * and CRI-O pick it): the first file of the CNI configuration directory ({@code /etc/cni/net.d} by
 * default, the setting {@code cniConfigDirectory}) whose name ends in {@code .conflist},
 * {@code .conf} or {@code .json}, in lexical order of the names; a directory without one (or none
 * at all) leaves bosun's own {@code default} network. Only the file is chosen here: the network is
 * named by its path, and bosun's CNI provider reads it as it reads every network configuration
 * (its {@code NetworkCatalog}), when the sandbox starts, so a broken file fails that
 * RunPodSandbox with one line naming the file.
 */
final class CriNetwork {
    static final String DEFAULT_DIRECTORY = "/etc/cni/net.d";
    /** bosun's own network when the directory has no configuration. */
    static final String BOSUN_DEFAULT = "default";
    static final String HOST = "host";

    private final Path directory;

    CriNetwork(Path directory) {
        this.directory = directory;
    }

    /** The network of a sandbox: {@code host} in the node's network, else the directory's first file or {@code default}. */
    String choose(boolean hostNetwork) {
        if (hostNetwork) {
            return HOST;
        }
        Path first = first(directory);
        return first == null ? BOSUN_DEFAULT : first.toString();
    }

    Path directory() {
        return directory;
    }

    /** The first configuration file of {@code dir} in lexical order of the names; null if it has none. */
    static Path first(Path dir) {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path p : entries) {
                String name = p.getFileName().toString();
                if ((name.endsWith(".conflist") || name.endsWith(".conf") || name.endsWith(".json"))
                        && !Files.isDirectory(p)) {
                    files.add(p);
                }
            }
        } catch (NoSuchFileException e) {
            return null;
        } catch (NotDirectoryException e) {
            throw BosunException.precondition("the CNI configuration directory " + dir + " is not a directory; make it"
                    + " one, or set cniConfigDirectory of the CRI server (org.bosun.cri.CriSocket)");
        } catch (IOException e) {
            throw BosunException.precondition("cannot list the CNI configuration directory " + dir + ": " + e.getMessage()
                    + "; fix its permissions, or set cniConfigDirectory of the CRI server (org.bosun.cri.CriSocket)");
        }
        // Go's sort.Strings: byte order of the names (all in one directory)
        files.sort((a, b) -> compareBytes(a.getFileName().toString(), b.getFileName().toString()));
        return files.isEmpty() ? null : files.get(0);
    }

    private static int compareBytes(String a, String b) {
        return java.util.Arrays.compareUnsigned(a.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                b.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}
