package org.bosun.itest.e2e;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * OCI and Docker images made at test time from real parts, as an image publisher would: the
 * busybox-static rootfs packed by {@code umoci} into one OCI layout with several tags, copied into
 * archives and registries by {@code skopeo}, and signed with containers' simple signing
 * ({@code skopeo --sign-by}, {@code skopeo standalone-sign}) by keys of a throw-away gpg home.
 * <p>
 * Tags of the layout: {@code latest} (busybox, one layer, {@code /bin/sh}); {@code layers} (two
 * more layers: {@code /etc/motd} added, {@code /bin/vi} deleted, {@code /data/third.txt} added);
 * {@code arm64} (busybox's layer under an arm64 config); {@code unsigned} (busybox with a label,
 * so a digest nobody signs); {@code nobody} (busybox with {@code User "nobody"}, no group); {@code corrupt} (busybox plus a layer of random bytes, for a registry
 * to damage).
 */
final class OciImages {
    static final String MOTD = "second layer";
    static final String THIRD = "third layer";

    final Path layout;

    private OciImages(Path layout) {
        this.layout = layout;
    }

    /** Builds the layout in {@code dir/oci} (about 2 s). */
    static OciImages build(Path dir) throws IOException, InterruptedException {
        Path rootfs = dir.resolve("rootfs");
        Files.createDirectories(rootfs.resolve("bin"));
        Files.createDirectories(rootfs.resolve("etc"));
        Files.createDirectories(rootfs.resolve("tmp"));
        Files.createDirectories(rootfs.resolve("root"));
        Files.copy(Path.of(TestImages.BUSYBOX), rootfs.resolve("bin/busybox"), StandardCopyOption.COPY_ATTRIBUTES);
        run(dir, null, List.of("chroot", rootfs.toString(), "/bin/busybox", "--install", "-s", "/bin"));
        Files.writeString(rootfs.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534::/:/bin/sh\n");
        Files.writeString(rootfs.resolve("etc/group"), "root:x:0:\nnogroup:x:65534:\n");

        OciImages images = new OciImages(dir.resolve("oci"));
        String oci = images.layout.toString();
        umoci(dir, "init", "--layout", oci);
        umoci(dir, "new", "--image", oci + ":base");
        Path bundle = dir.resolve("bundle");
        umoci(dir, "unpack", "--image", oci + ":base", bundle.toString());
        E2e.deleteTree(bundle.resolve("rootfs"));
        run(dir, null, List.of("cp", "-a", rootfs.toString(), bundle.resolve("rootfs").toString()));
        umoci(dir, "repack", "--image", oci + ":base", bundle.toString());
        E2e.deleteTree(bundle);
        umoci(dir, "config", "--image", oci + ":base", "--tag", "latest", "--clear=config.entrypoint",
                "--config.cmd=/bin/sh", "--config.workingdir=/", "--os=linux", "--architecture=amd64");
        umoci(dir, "config", "--image", oci + ":latest", "--tag", "arm64", "--architecture=arm64");
        umoci(dir, "config", "--image", oci + ":latest", "--tag", "unsigned", "--config.label=org.bosun.test=unsigned");
        umoci(dir, "config", "--image", oci + ":latest", "--tag", "nobody", "--config.user=nobody");

        umoci(dir, "unpack", "--image", oci + ":latest", bundle.toString());
        Files.writeString(bundle.resolve("rootfs/etc/motd"), MOTD + "\n");
        Files.delete(bundle.resolve("rootfs/bin/vi"));
        umoci(dir, "repack", "--refresh-bundle", "--image", oci + ":layers", bundle.toString());
        Files.createDirectories(bundle.resolve("rootfs/data"));
        Files.writeString(bundle.resolve("rootfs/data/third.txt"), THIRD + "\n");
        umoci(dir, "repack", "--image", oci + ":layers", bundle.toString());
        E2e.deleteTree(bundle);

        umoci(dir, "unpack", "--image", oci + ":latest", bundle.toString());
        try (OutputStream out = Files.newOutputStream(bundle.resolve("rootfs/random.bin"))) {
            byte[] bytes = new byte[256 << 10];
            new Random(3).nextBytes(bytes);
            out.write(bytes);
        }
        umoci(dir, "repack", "--image", oci + ":corrupt", bundle.toString());
        E2e.deleteTree(bundle);
        E2e.deleteTree(rootfs);
        umoci(dir, "gc", "--layout", oci);
        return images;
    }

    /** {@code oci:LAYOUT:TAG}, as skopeo names it. */
    String source(String tag) {
        return "oci:" + layout + ":" + tag;
    }

    /** The manifest of {@code tag} in the layout, byte for byte. */
    byte[] manifest(String tag) throws IOException, InterruptedException {
        return raw(layout.getParent(), source(tag));
    }

    /** {@code skopeo inspect --raw SOURCE}: the manifest as stored (for a docker-archive: the one skopeo makes). */
    static byte[] raw(Path cwd, String source, String... options) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("skopeo", "inspect", "--raw"));
        cmd.addAll(List.of(options));
        cmd.add(source);
        return run(cwd, null, cmd).getBytes(StandardCharsets.UTF_8);
    }

    /** Copies {@code source} to {@code destination} with skopeo (archives: {@code oci-archive:F}, {@code docker-archive:F:NAME}). */
    static void copy(Path cwd, String source, String destination) throws IOException, InterruptedException {
        run(cwd, null, List.of("skopeo", "copy", "--quiet", source, destination));
    }

    /**
     * A simple signature of {@code manifest} for {@code identity} ({@code host/repo:tag}) by
     * {@code signer}, written where a lookaside store at {@code sigstore} keeps it:
     * {@code sigstore/REPO@sha256=HEX/signature-1} (REPO without the host).
     */
    static Path sign(Path cwd, GpgHome gpg, String signer, byte[] manifest, String identity, Path sigstore)
            throws IOException, InterruptedException {
        return signAs(cwd, gpg, signer, manifest, identity, sigstore, sha256(manifest));
    }

    /** As {@link #sign}, but stored as the signature of the manifest {@code storedFor} (a signature of another image). */
    static Path signAs(Path cwd, GpgHome gpg, String signer, byte[] manifest, String identity, Path sigstore,
            String storedFor) throws IOException, InterruptedException {
        Path manifestFile = Files.createTempFile(cwd, "manifest-", ".json");
        try {
            Files.write(manifestFile, manifest);
            String repository = identity.substring(identity.indexOf('/') + 1).replaceFirst(":[^:/]+$", "");
            Path signature = sigstore.resolve(repository + "@sha256=" + storedFor.substring("sha256:".length()))
                    .resolve("signature-1");
            Files.createDirectories(signature.getParent());
            Files.deleteIfExists(signature);
            run(cwd, gpg, List.of("skopeo", "standalone-sign", manifestFile.toString(), identity, signer, "--output",
                    signature.toString()));
            return signature;
        } finally {
            Files.deleteIfExists(manifestFile);
        }
    }

    static String sha256(byte[] bytes) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void umoci(Path cwd, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("umoci"));
        cmd.addAll(List.of(args));
        run(cwd, null, cmd);
    }

    /** Runs a tool (with {@code gpg}'s home as GNUPGHOME when given); returns its stdout, fails with its output. */
    static String run(Path cwd, GpgHome gpg, List<String> cmd) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        if (gpg != null) {
            pb.environment().put("GNUPGHOME", gpg.home().toString());
        }
        Path err = Files.createTempFile(cwd, "stderr-", ".txt");
        pb.redirectError(err.toFile());
        try {
            Process p = pb.start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("timed out: " + String.join(" ", cmd));
            }
            if (p.exitValue() != 0) {
                throw new IOException(String.join(" ", cmd) + " exited " + p.exitValue() + ": " + Files.readString(err)
                        + new String(out, StandardCharsets.UTF_8));
            }
            return new String(out, StandardCharsets.UTF_8);
        } finally {
            Files.deleteIfExists(err);
        }
    }
}
