package org.bosun.itest.e2e;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * The images the end-to-end tests run, made at test time from real parts: busybox-static and the
 * appc reference tool {@code actool} (Debian package appc-spec). Nothing is checked in.
 */
final class TestImages {
    static final String ACTOOL = "/usr/bin/actool";
    static final String BUSYBOX = "/bin/busybox";
    static final String MANIFEST = "{\"acKind\":\"ImageManifest\",\"acVersion\":\"0.8.11\",\"name\":\"example.com/busybox\","
            + "\"labels\":[{\"name\":\"version\",\"value\":\"1.0\"},{\"name\":\"os\",\"value\":\"linux\"},"
            + "{\"name\":\"arch\",\"value\":\"amd64\"}],"
            + "\"app\":{\"exec\":[\"/bin/sh\"],\"user\":\"0\",\"group\":\"0\",\"workingDirectory\":\"/\"}}";

    private TestImages() {
    }

    /** A busybox ACI: rootfs/bin/busybox plus its applet links, /etc/passwd and /etc/group. */
    static Path busybox(Path dir) throws IOException, InterruptedException {
        Path layout = dir.resolve("busybox-layout");
        layout(layout);
        Path aci = dir.resolve("busybox.aci");
        exec(dir, ACTOOL, "build", "--overwrite", layout.toString(), aci.toString());
        return aci;
    }

    /**
     * The busybox ACI with a 100 MB file of random bytes, uncompressed: preparing it takes long
     * enough (rendering, hashing) to kill a {@code bosun prepare} in the middle of it.
     */
    static Path large(Path dir) throws IOException, InterruptedException {
        Path layout = dir.resolve("large-layout");
        layout(layout);
        try (OutputStream out = Files.newOutputStream(layout.resolve("rootfs/large.bin"))) {
            Random random = new Random(42);
            byte[] chunk = new byte[1 << 20];
            for (int i = 0; i < 100; i++) {
                random.nextBytes(chunk);
                out.write(chunk);
            }
        }
        Path aci = dir.resolve("large.aci");
        exec(dir, ACTOOL, "build", "--overwrite", "--no-compression", layout.toString(), aci.toString());
        E2e.deleteTree(layout);
        return aci;
    }

    /** The busybox rootfs under another image manifest ({@code manifest} is its JSON). */
    static Path busyboxWithManifest(Path dir, String fileName, String manifest) throws IOException, InterruptedException {
        return busyboxWith(dir, fileName, manifest, rootfs -> { });
    }

    /** A change to an image's rootfs before it is packed (files added, owners set). */
    interface RootfsChange {
        void apply(Path rootfs) throws IOException;
    }

    /**
     * The busybox rootfs, changed by {@code change}, under another image manifest; actool packs
     * owners and modes as they are on disk.
     */
    static Path busyboxWith(Path dir, String fileName, String manifest, RootfsChange change)
            throws IOException, InterruptedException {
        Path layout = dir.resolve(fileName + "-layout");
        layout(layout);
        change.apply(layout.resolve("rootfs"));
        Files.writeString(layout.resolve("manifest"), manifest);
        Path aci = dir.resolve(fileName + ".aci");
        exec(dir, ACTOOL, "build", "--overwrite", layout.toString(), aci.toString());
        E2e.deleteTree(layout);
        return aci;
    }

    /** Random bytes named like an image. */
    static Path corrupt(Path dir) throws IOException {
        byte[] bytes = new byte[4096];
        new Random(7).nextBytes(bytes);
        Path aci = dir.resolve("x.aci");
        Files.write(aci, bytes);
        return aci;
    }

    /** A well-formed tar whose rootfs entry {@code rootfs/../../escape} climbs out of the rootfs. */
    static Path escaping(Path dir) throws IOException {
        ByteArrayOutputStream tar = new ByteArrayOutputStream();
        tarEntry(tar, "manifest", '0', MANIFEST.getBytes(StandardCharsets.UTF_8));
        tarEntry(tar, "rootfs/", '5', new byte[0]);
        tarEntry(tar, "rootfs/bin/", '5', new byte[0]);
        tarEntry(tar, "rootfs/../../escape", '0', "escaped\n".getBytes(StandardCharsets.UTF_8));
        tar.write(new byte[1024]);
        Path aci = dir.resolve("escape.aci");
        Files.write(aci, tar.toByteArray());
        return aci;
    }

    private static void layout(Path layout) throws IOException, InterruptedException {
        Path rootfs = layout.resolve("rootfs");
        Files.createDirectories(rootfs.resolve("bin"));
        Files.createDirectories(rootfs.resolve("etc"));
        Files.copy(Path.of(BUSYBOX), rootfs.resolve("bin/busybox"), StandardCopyOption.COPY_ATTRIBUTES);
        exec(layout, "chroot", rootfs.toString(), "/bin/busybox", "--install", "-s", "/bin");
        Files.writeString(rootfs.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534::/:/bin/sh\n");
        Files.writeString(rootfs.resolve("etc/group"), "root:x:0:\nnogroup:x:65534:\n");
        Files.writeString(layout.resolve("manifest"), MANIFEST);
    }

    /** One ustar header and the data, padded to 512-byte blocks. */
    private static void tarEntry(ByteArrayOutputStream tar, String name, char type, byte[] data) throws IOException {
        byte[] h = new byte[512];
        put(h, 0, name);
        put(h, 100, type == '5' ? "0000755" : "0000644");
        put(h, 108, "0000000");
        put(h, 116, "0000000");
        put(h, 124, String.format("%011o", data.length));
        put(h, 136, String.format("%011o", 1_700_000_000L));
        for (int i = 148; i < 156; i++) {
            h[i] = ' ';
        }
        h[156] = (byte) type;
        put(h, 257, "ustar");
        put(h, 263, "00");
        put(h, 265, "root");
        put(h, 297, "root");
        int sum = 0;
        for (byte b : h) {
            sum += b & 0xff;
        }
        put(h, 148, String.format("%06o", sum));
        h[154] = 0;
        h[155] = ' ';
        tar.write(h);
        tar.write(data);
        int pad = (512 - data.length % 512) % 512;
        tar.write(new byte[pad]);
    }

    private static void put(byte[] header, int offset, String value) {
        byte[] b = value.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(b, 0, header, offset, b.length);
    }

    /** What {@code command} prints on stdout; it must succeed. */
    static String output(Path cwd, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).directory(cwd.toFile())
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("timed out: " + String.join(" ", command));
        }
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " exited " + p.exitValue() + ": " + out);
        }
        return out;
    }

    static void exec(Path cwd, String... command) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(command));
        Path log = Files.createTempFile(cwd, "exec-", ".log");
        try {
            Process p = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("timed out: " + String.join(" ", cmd));
            }
            if (p.exitValue() != 0) {
                throw new IOException(String.join(" ", cmd) + " exited " + p.exitValue() + ": " + Files.readString(log));
            }
        } finally {
            Files.deleteIfExists(log);
        }
    }
}
