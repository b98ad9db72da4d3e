package org.bosun.trust;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.bosun.host.files.FileTree;
import org.junit.rules.ExternalResource;

/**
 * The real gpg in a throw-away home: makes keys and signatures the way image publishers do. The
 * home, and the gpg-agent gpg starts for it, are gone after the test class, whatever happened.
 */
final class Gpg extends ExternalResource {
    private Path home;

    @Override
    protected void before() throws IOException {
        // Short: gpg-agent's socket path must fit in a sockaddr_un.
        home = Files.createTempDirectory(Path.of("/tmp"), "bosun-gpg-");
        Files.setPosixFilePermissions(home, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
    }

    @Override
    protected void after() {
        try {
            run(List.of("gpgconf", "--kill", "all"));
        } catch (Exception ignored) {
            // no agent was started
        }
        FileTree.deleteQuietly(home);
    }

    /** Makes a key without passphrase and returns its fingerprint; {@code fakedTime} ("20200101T000000") backdates it. */
    String generate(String userId, String algorithm, String usage, String expire, String fakedTime) throws Exception {
        List<String> args = new ArrayList<>(List.of("--quick-gen-key", userId, algorithm, usage, expire));
        if (fakedTime != null) {
            args.addAll(0, List.of("--faked-system-time", fakedTime));
        }
        gpg(args);
        return fingerprintOf(userId);
    }

    String generate(String userId, String algorithm) throws Exception {
        return generate(userId, algorithm, "sign", "never", null);
    }

    /** Adds a subkey to the key {@code fingerprint}; returns the subkey's fingerprint. */
    String addSubkey(String fingerprint, String algorithm, String usage) throws Exception {
        gpg(List.of("--quick-add-key", fingerprint, algorithm, usage, "never"));
        String out = gpg(List.of("--with-colons", "--list-keys", fingerprint));
        String last = null;
        boolean inSub = false;
        for (String line : out.split("\n")) {
            if (line.startsWith("sub:")) {
                inSub = true;
            } else if (line.startsWith("fpr:") && inSub) {
                last = line.split(":")[9];
                inSub = false;
            }
        }
        return last;
    }

    String fingerprintOf(String userId) throws Exception {
        String out = gpg(List.of("--with-colons", "--list-keys", "=" + userId));
        for (String line : out.split("\n")) {
            if (line.startsWith("fpr:")) {
                return line.split(":")[9];
            }
        }
        throw new AssertionError("no key for " + userId + ":\n" + out);
    }

    byte[] exportArmored(String fingerprint) throws Exception {
        return gpg(List.of("--armor", "--export", fingerprint)).getBytes(StandardCharsets.US_ASCII);
    }

    byte[] exportBinary(String fingerprint, Path scratch) throws Exception {
        Path out = scratch.resolve("export-" + fingerprint + ".gpg");
        Files.deleteIfExists(out);
        gpg(List.of("--output", out.toString(), "--export", fingerprint));
        return Files.readAllBytes(out);
    }

    byte[] exportSecret(String fingerprint) throws Exception {
        return gpg(List.of("--pinentry-mode", "loopback", "--passphrase", "", "--armor", "--export-secret-keys",
                fingerprint)).getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * Signs {@code file} with exactly the key {@code keySpec} (a fingerprint; "FPR!" forces that
     * very key) into {@code signature}; extra options go before the command.
     */
    Path sign(Path file, String keySpec, Path signature, boolean armor, String... options) throws Exception {
        List<String> args = new ArrayList<>(List.of(options));
        if (armor) {
            args.add("--armor");
        }
        Files.deleteIfExists(signature);
        args.addAll(List.of("--local-user", keySpec, "--output", signature.toString(), "--detach-sign", file.toString()));
        gpg(args);
        return signature;
    }

    /** Revokes the key with the certificate gpg made when it made the key. */
    void revoke(String fingerprint) throws Exception {
        Path rev = home.resolve("openpgp-revocs.d").resolve(fingerprint + ".rev");
        String text = Files.readString(rev).replace(":-----BEGIN PGP PUBLIC KEY BLOCK-----", "-----BEGIN PGP PUBLIC KEY BLOCK-----");
        Path armed = home.resolve(fingerprint + ".rev.asc");
        Files.writeString(armed, text);
        gpg(List.of("--import", armed.toString()));
    }

    private String gpg(List<String> args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("gpg", "--batch", "--no-tty", "--quiet", "--pinentry-mode", "loopback",
                "--passphrase", ""));
        cmd.addAll(args);
        return run(cmd);
    }

    private String run(List<String> cmd) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().put("GNUPGHOME", home.toString());
        Path err = Files.createTempFile(home, "err-", ".txt");
        pb.redirectError(err.toFile());
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("timed out: " + cmd);
        }
        String errText = Files.readString(err);
        Files.delete(err);
        if (p.exitValue() != 0) {
            throw new AssertionError(String.join(" ", cmd) + " exited " + p.exitValue() + ":\n" + errText);
        }
        return new String(out, StandardCharsets.UTF_8);
    }
}
