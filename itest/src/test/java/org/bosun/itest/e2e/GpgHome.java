package org.bosun.itest.e2e;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.rules.ExternalResource;

/**
 * A throw-away GNUPGHOME for one test class, as an image publisher's: the real gpg makes the keys
 * and detached signatures. The home and the gpg-agent that gpg starts for it are gone afterwards,
 * whatever happened.
 */
final class GpgHome extends ExternalResource {
    private Path home;

    @Override
    protected void before() throws IOException {
        // Short: gpg-agent's socket lives in it and must fit in a sockaddr_un.
        home = Files.createTempDirectory(Path.of("/tmp"), "bosun-e2e-gpg-");
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwx------"));
    }

    @Override
    protected void after() {
        try {
            run(List.of("gpgconf", "--kill", "all"));
        } catch (Exception e) {
            System.err.println("bosun-e2e: gpgconf --kill all failed: " + e);
        }
        List<String> problems = E2e.deleteTree(home);
        if (!problems.isEmpty()) {
            System.err.println("bosun-e2e: cannot delete " + home + ": " + problems);
        }
    }

    /** The GNUPGHOME, for tools that sign with its keys (skopeo --sign-by). */
    Path home() {
        return home;
    }

    /** Makes a key without passphrase (gpg's default algorithm, or {@code algorithm}); returns its fingerprint. */
    String generate(String userId, String algorithm) throws Exception {
        gpg("--quick-gen-key", userId, algorithm, "default", "never");
        for (String line : gpg("--with-colons", "--list-keys", "=" + userId).split("\n")) {
            if (line.startsWith("fpr:")) {
                return line.split(":")[9];
            }
        }
        throw new AssertionError("gpg made no key for " + userId);
    }

    /** The public key, ASCII-armored, as {@code gpg --armor --export}. */
    Path export(String fingerprint, Path file) throws Exception {
        Files.writeString(file, gpg("--armor", "--export", fingerprint), StandardCharsets.US_ASCII);
        return file;
    }

    /** {@code gpg --armor --detach-sign}: writes {@code file}.asc beside it. */
    Path sign(String fingerprint, Path file) throws Exception {
        Path signature = file.resolveSibling(file.getFileName() + ".asc");
        Files.deleteIfExists(signature);
        gpg("--local-user", fingerprint, "--armor", "--detach-sign", file.toString());
        return signature;
    }

    private String gpg(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("gpg", "--batch", "--no-tty", "--quiet", "--pinentry-mode", "loopback",
                "--passphrase", ""));
        cmd.addAll(List.of(args));
        return run(cmd);
    }

    private String run(List<String> cmd) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().put("GNUPGHOME", home.toString());
        Path err = Files.createTempFile(home, "stderr-", ".txt");
        pb.redirectError(err.toFile());
        try {
            Process p = pb.start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("timed out: " + String.join(" ", cmd));
            }
            if (p.exitValue() != 0) {
                throw new IOException(String.join(" ", cmd) + " exited " + p.exitValue() + ": " + Files.readString(err));
            }
            return new String(out, StandardCharsets.UTF_8);
        } finally {
            Files.deleteIfExists(err);
        }
    }
}
