package org.bosun.image.appc;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

import org.junit.rules.ExternalResource;

/**
 * A temporary directory that is removed without ever following a symbolic link (JUnit's
 * TemporaryFolder follows links to directories and would empty their targets).
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
        if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) throws IOException {
                Files.setAttribute(d, "unix:mode", 0700);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                if (exc != null) {
                    throw exc;
                }
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
