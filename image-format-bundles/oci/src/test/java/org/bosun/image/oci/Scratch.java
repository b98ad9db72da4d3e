package org.bosun.image.oci;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.bosun.host.files.FileTree;
import org.junit.rules.ExternalResource;

/** A temporary directory removed with the host's {@link FileTree}, without following symbolic links. */
final class Scratch extends ExternalResource {
    private Path root;

    Path root() {
        return root;
    }

    @Override
    protected void before() throws IOException {
        root = Files.createTempDirectory("bosun-oci-test-").toRealPath();
    }

    @Override
    protected void after() {
        deleteTree(root);
    }

    static void deleteTree(Path dir) {
        if (dir == null) {
            return;
        }
        try {
            FileTree.delete(dir);
        } catch (IOException e) {
            throw new IllegalStateException("cannot clean up " + dir, e);
        }
    }
}
