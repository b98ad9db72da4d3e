package org.bosun.host.socket;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Puts a listening unix socket at a path where only its owner may connect, with no moment in which
 * anyone else could: a socket bound in place gets the process's umask, and a chmod after the bind
 * leaves a window in which any user may connect. So the server binds at {@link #bindPath()}, inside a
 * new directory of mode 0700 beside the final path, and {@link #publish()} makes the socket 0600 and
 * renames it into place (a rename(2) on one file system; the listening socket follows its file).
 * <p>
 * A socket file at the final path that nobody answers on (left by a server killed with SIGKILL) is
 * replaced; one that answers is refused, since two servers on one path would each get some of the
 * clients. The final path's directory is created with mode 0700 when it does not exist.
 */
public final class PrivateSocketFile implements AutoCloseable {
    private static final String BOUND_NAME = "s";

    private final Path socket;
    private final Path staging;

    private PrivateSocketFile(Path socket, Path staging) {
        this.socket = socket;
        this.staging = staging;
    }

    /**
     * Prepares to listen on {@code socket}; {@code refusal} is the message of the IOException thrown
     * when a server already answers there (say what to stop or which setting to change).
     */
    public static PrivateSocketFile prepare(Path socket, String refusal) throws IOException {
        Path dir = socket.toAbsolutePath().getParent();
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        if (answers(socket)) {
            throw new IOException(refusal);
        }
        Path staging = Files.createTempDirectory(dir, ".bind-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        return new PrivateSocketFile(socket, staging);
    }

    /** Whether a server listens on {@code socket} now. */
    public static boolean answers(Path socket) {
        if (!Files.exists(socket)) {
            return false;
        }
        try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            probe.connect(UnixDomainSocketAddress.of(socket));
            return true;
        } catch (IOException stale) {
            return false;
        }
    }

    /** Where the server binds: in a directory only the owner can enter. */
    public Path bindPath() {
        return staging.resolve(BOUND_NAME);
    }

    /** Makes the bound socket 0600 and renames it to the final path (replacing a stale file). */
    public void publish() throws IOException {
        Files.setPosixFilePermissions(bindPath(), PosixFilePermissions.fromString("rw-------"));
        Files.move(bindPath(), socket, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Removes the staging directory (and a socket bound there but never published). */
    @Override
    public void close() throws IOException {
        Files.deleteIfExists(bindPath());
        Files.deleteIfExists(staging);
    }
}
