package org.bosun.host.files;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.rules.ExternalResource;

/**
 * A temporary directory for a test, removed with {@link FileTree#delete}: never following a
 * symbolic link (JUnit's TemporaryFolder follows links to directories and would empty their
 * targets) and never while something is still mounted in it. In the test jar, for every bundle's tests.
 */
public final class Scratch extends ExternalResource {
    private Path root;

    public Path root() {
        return root;
    }

    @Override
    protected void before() throws IOException {
        root = Files.createTempDirectory("bosun-test-").toRealPath();
    }

    @Override
    protected void after() {
        deleteTree(root);
    }

    /** Deletes {@code dir} as {@link #after} does, for trees a test makes outside its scratch root. */
    public static void deleteTree(Path dir) {
        if (dir == null) {
            return;
        }
        try {
            FileTree.delete(dir);
        } catch (IOException e) {
            throw new IllegalStateException("cannot clean up " + dir + ": " + e.getMessage(), e);
        }
    }
}
