package org.bosun.itest.tck;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.Set;
import java.util.stream.Stream;

import org.bosun.api.InsecureOption;
import org.bosun.api.image.ImageReference;
import org.bosun.itest.e2e.Registry;
import org.bosun.tck.common.TckPlatform;
import org.bosun.tck.image.ImageFormatTck;
import org.junit.After;
import org.junit.Before;

/**
 * The image format TCK on bosun's docker format, whose images come from registries only: a real
 * registry (Debian's docker-registry, on a free loopback port, plain HTTP) per test, into which the
 * test's image is pushed with skopeo from the OCI layout OciFormatTckIT writes. A damaged image is its
 * layer blob cut to half in the registry's storage; a missing one, a repository the registry does not
 * have.
 */
public class DockerFormatTckIT extends ImageFormatTck {
    private static final String REPOSITORY = "image-format-tck";

    private Path registryDir;
    private Registry registry;

    @Override
    protected String formatName() {
        return "docker";
    }

    @Before
    public void startRegistry() throws Exception {
        registryDir = Files.createTempDirectory("bosun-tck-registry-");
        registry = Registry.start(registryDir, null, null);
    }

    @After
    public void stopRegistry() {
        if (registry != null) {
            registry.close();
        }
        TckPlatform.deleteQuietly(registryDir);
    }

    @Override
    protected String buildImage(Path workDir, TestImage image) throws Exception {
        Path layout = OciFormatTckIT.layout(workDir, image);
        registry.push("oci:" + layout + ":latest", REPOSITORY + ":latest");
        return registry.image(REPOSITORY + ":latest");
    }

    @Override
    protected String expectedName(TestImage image, String reference) {
        // a registry image is named after its registry and repository, as docker names it
        return reference.substring("docker://".length(), reference.lastIndexOf(':'));
    }

    /** The largest blob the registry keeps (the layer) cut to half: its digest no longer matches. */
    @Override
    protected void damage(ImageReference reference) throws IOException {
        Path largest;
        try (Stream<Path> files = Files.walk(registry.storage().resolve("docker/registry/v2/blobs"))) {
            largest = files.filter(f -> f.getFileName().toString().equals("data") && Files.isRegularFile(f))
                    .max(Comparator.comparingLong(DockerFormatTckIT::size))
                    .orElseThrow(() -> new AssertionError("the registry keeps no blob of " + reference));
        }
        try (FileChannel data = FileChannel.open(largest, StandardOpenOption.WRITE)) {
            data.truncate(data.size() / 2);
        }
    }

    @Override
    protected String missingReference(String reference) {
        return reference.replace("/" + REPOSITORY + ":", "/missing/" + REPOSITORY + ":");
    }

    @Override
    protected String missingName(String missingReference) {
        return "missing/" + REPOSITORY;
    }

    @Override
    protected Set<InsecureOption> insecureOptions() {
        return Set.of(InsecureOption.IMAGE, InsecureOption.HTTP);
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return 0;
        }
    }
}
