package org.bosun.image.appc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.bosun.host.files.FileTree;
import org.junit.rules.ExternalResource;

/**
 * A temporary directory that is removed with the host's {@link FileTree}, without ever following a
 * symbolic link (JUnit's TemporaryFolder follows links to directories and would empty their targets).
 */
final class Scratch extends ExternalResource {
    private Path root;

    Path root() {
        return root;
    }

    @Override
    protected void before() throws IOException {
        root = Files.createTempDirectory("bosun-appc-test-").toRealPath();
    }

    @Override
    protected void after() {
        try {
            deleteTree(root);
        } catch (IOException e) {
            throw new IllegalStateException("cannot clean up " + root, e);
        }
    }

    static void deleteTree(Path dir) throws IOException {
        FileTree.delete(dir);
    }
}
