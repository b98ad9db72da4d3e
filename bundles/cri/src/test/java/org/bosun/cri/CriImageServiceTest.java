package org.bosun.cri;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;

import java.util.List;

import org.bosun.api.image.StoredImage;
import org.junit.Test;

public class CriImageServiceTest {
    private static final String ID = "sha256:9700f9a2f5bf2c45f2f605a0bd3bce7cf37420ec9d3ed50ac2758413308766bf";

    private static StoredImage docker(String name) {
        return new StoredImage(ID, name, "docker", List.of("docker://" + name + ":1.29-2"), null, List.of(), List.of(),
                null, null, null, 10);
    }

    /** critest "image status should support all kinds of references": the repo digest ListImages gives finds it. */
    @Test
    public void theRepoDigestReportedIsOneThatFindsTheImage() {
        StoredImage busybox = docker("registry.k8s.io/e2e-test-images/busybox");
        String reported = CriImageService.image(busybox).getRepoDigests(0);
        assertEquals("registry.k8s.io/e2e-test-images/busybox@" + ID, reported);
        assertEquals(ID, CriImageService.repoDigestDigest(reported));
        assertEquals(reported, CriImageService.repoDigest(busybox));
        // the id of another name is not this image's repo digest
        assertEquals(ID, CriImageService.repoDigestDigest("example.com/other@" + ID));
        assertEquals(false, ("example.com/other@" + ID).equals(CriImageService.repoDigest(busybox)));
    }

    @Test
    public void whatIsNoRepoDigestIsNotReadAsOne() {
        assertNull(CriImageService.repoDigestDigest("busybox:1.29-2"));
        assertNull(CriImageService.repoDigestDigest(ID));
        assertNull(CriImageService.repoDigestDigest("docker://busybox@" + ID));
        assertNull(CriImageService.repoDigestDigest("user@example.com/busybox"));
        assertNull("an appc image has no repo digest", CriImageService.repoDigest(new StoredImage("sha512-0123",
                "example.com/busybox", "aci", List.of(), null, List.of(), List.of(), null, null, null, 1)));
    }
}
