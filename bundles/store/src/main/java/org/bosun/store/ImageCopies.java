package org.bosun.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.bosun.api.BosunException;
import org.bosun.api.ErrorKind;
import org.bosun.api.RuntimePaths;
import org.bosun.api.image.ImageStore;
import org.bosun.api.image.StoredImage;
import org.bosun.host.files.FileTree;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/**
 * Images copied out of the store for a user: an archive to a file, a root filesystem (with its
 * manifest) to a directory. Each target appears whole or not at all: it is written beside itself
 * under a dot name and renamed into place, and removed again when anything fails.
 */
final class ImageCopies {
    /** The largest manifest blob read back as the image's original manifest: manifests are small. */
    static final long MAX_MANIFEST_BYTES = 4 << 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ImageStore store;
    private final RuntimePaths paths;

    ImageCopies(ImageStore store, RuntimePaths paths) {
        this.store = store;
        this.paths = paths;
    }

    Optional<String> originalManifest(StoredImage image) {
        String kept = image.metadata().get("manifest");
        if (kept != null) {
            return Optional.of(kept);
        }
        Optional<Path> blob = image.id().startsWith("sha256:") ? store.blob(paths, image.id()) : Optional.empty();
        try {
            if (blob.isEmpty() || Files.size(blob.get()) > MAX_MANIFEST_BYTES) {
                return Optional.empty();
            }
            return Optional.of(Files.readString(blob.get()));
        } catch (IOException e) {
            return Optional.empty(); // unreadable: the common form still says what the image holds
        }
    }

    void export(StoredImage image, Path file, boolean overwrite) {
        if (image.blobs().size() != 1) {
            throw BosunException.invalid("image " + image.id() + " (" + image.name() + ") is made of "
                    + image.blobs().size() + " blobs, not one archive; use bosun image extract or render");
        }
        Path blob = store.blob(paths, image.blobs().get(0)).orElseThrow(() -> BosunException.notFound(
                "image " + image.id() + " lost its blob; run bosun image verify, then fetch it again"));
        if (!overwrite && Files.exists(file)) {
            throw new BosunException(ErrorKind.ALREADY_EXISTS, file + " exists; choose another file or pass --overwrite");
        }
        Path temp = file.resolveSibling("." + file.getFileName() + ".bosun-export");
        try {
            Files.copy(blob, temp, StandardCopyOption.REPLACE_EXISTING);
            Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-r--r--"));
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException ignored) {
                // nothing more to do
            }
            throw BosunException.precondition("cannot write " + file + ": " + e.getMessage());
        }
    }

    void writeDirectory(StoredImage image, Path directory, ImageStore.DirectoryOptions options,
            ImageStore.TreeRenderer renderer) {
        Path temp = startDirectory(directory, options.overwrite());
        try {
            Path rootfs = options.rootfsOnly() ? temp : Files.createDirectory(temp.resolve("rootfs"));
            if (options.fromTree()) {
                copy(store.tree(paths, image, renderer), rootfs);
            } else {
                renderer.render(image, rootfs);
            }
            if (!options.rootfsOnly()) {
                Files.writeString(temp.resolve("manifest"), commonForm(image) + "\n");
            }
            if (options.overwrite() && Files.exists(directory)) {
                FileTree.delete(directory);
            }
            Files.move(temp, directory, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            FileTree.deleteQuietly(temp);
            if (e instanceof RuntimeException r) {
                throw r;
            }
            throw BosunException.precondition("cannot write " + directory + ": " + e.getMessage());
        }
    }

    /** A temporary directory beside the target, renamed into place when complete. */
    private static Path startDirectory(Path directory, boolean overwrite) {
        if (!overwrite && Files.exists(directory)) {
            throw new BosunException(ErrorKind.ALREADY_EXISTS, directory
                    + " exists; choose a new directory or pass --overwrite");
        }
        try {
            Files.createDirectories(directory.getParent());
            Path temp = Files.createTempDirectory(directory.getParent(), "." + directory.getFileName() + ".bosun-");
            Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rwxr-xr-x"));
            return temp;
        } catch (FileAlreadyExistsException e) {
            throw new BosunException(ErrorKind.ALREADY_EXISTS, directory + " exists");
        } catch (IOException e) {
            throw BosunException.precondition("cannot create " + directory + ": " + e.getMessage());
        }
    }

    /** The manifest in bosun's common form, indented, as {@code image cat-manifest --common} prints it. */
    private static String commonForm(StoredImage image) throws JsonProcessingException {
        return JSON.writer().with(SerializationFeature.INDENT_OUTPUT).writeValueAsString(JSON.valueToTree(image.manifest()));
    }

    /**
     * Copies the contents of {@code from} into the existing directory {@code to} with {@code cp -a}:
     * owners, modes, links and special files kept, links never followed.
     */
    private static void copy(Path from, Path to) {
        List<String> argv = List.of("/usr/bin/cp", "-a", "--", from + "/.", to + "/");
        try {
            Process p = new ProcessBuilder(argv).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(30, TimeUnit.MINUTES) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw BosunException.precondition("cannot copy " + from + " to " + to + ": "
                        + (output.isEmpty() ? "cp failed" : output.lines().reduce((a, b) -> b).orElse(output)));
            }
        } catch (IOException e) {
            throw BosunException.unavailable("cannot run /usr/bin/cp (coreutils): " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw BosunException.precondition("copying " + from + " was cancelled");
        }
    }
}
