package org.bosun.image.oci;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs the real tools (umoci, skopeo, gpg) the tests build their images with. */
final class Shell {
    private Shell() {
    }

    static String run(Path dir, Map<String, String> env, String script) {
        ProcessBuilder pb = new ProcessBuilder("bash", "-euo", "pipefail", "-c", script).directory(dir.toFile())
                .redirectErrorStream(true);
        pb.environment().putAll(env);
        try {
            Process p = pb.start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IllegalStateException("failed: " + script + "\n" + new String(out, StandardCharsets.UTF_8));
            }
            return new String(out, StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * A busybox-static image in the OCI layout {@code oci} (tags busybox and latest), a tar of it
     * ({@code busybox-oci.tar}) and a docker save tarball ({@code busybox-docker.tar}, tagged
     * {@code 127.0.0.1:5000/test/busybox:latest}).
     */
    static void buildBusybox(Path dir) {
        run(dir, Map.of(), String.join("\n",
                "mkdir -p rootfs/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,etc,root}",
                "cp /bin/busybox rootfs/bin/ && chroot rootfs /bin/busybox --install -s",
                "echo 'root:x:0:0:root:/root:/bin/sh' > rootfs/etc/passwd; echo 'root:x:0:' > rootfs/etc/group",
                "umoci init --layout oci && umoci new --image oci:busybox",
                "umoci unpack --image oci:busybox b && rm -rf b/rootfs && cp -a rootfs b/rootfs && rm -rf rootfs",
                "umoci repack --image oci:busybox b && rm -rf b",
                "umoci config --image oci:busybox --clear=config.entrypoint --config.cmd /bin/sh --config.workingdir=/"
                        + " --config.env=GREETING=hello --config.exposedports=80/tcp --config.volume=/var/data"
                        + " --config.user=daemon:daemon --config.label=org.example.team=bosun",
                "umoci tag --image oci:busybox latest && umoci gc --layout oci",
                "skopeo copy -q oci:oci:latest oci-archive:busybox-oci.tar:latest",
                "skopeo copy -q oci:oci:latest docker-archive:busybox-docker.tar:127.0.0.1:5000/test/busybox:latest"));
    }
}
