package org.bosun.image.docker;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import org.bosun.api.BosunException;
import org.bosun.api.ErrorKind;
import org.bosun.image.oci.model.DockerReference;
import org.junit.Test;

/** docker:// references are normalised as docker normalises them, and bad ones are refused naming the part. */
public class DockerReferenceTest {
    private static final String DIGEST = "sha256:" + "ab".repeat(32);

    @Test
    public void aBareNameIsAnOfficialImageOnDockerHubTaggedLatest() {
        DockerReference ref = DockerReference.parse("busybox");
        assertEquals(new DockerReference("docker.io", "library/busybox", "latest", null), ref);
        assertEquals("docker.io/library/busybox:latest", ref.toString());
        assertEquals("docker.io/library/busybox", ref.repository());
        assertEquals("registry-1.docker.io", ref.registryHost());
        assertEquals("latest", ref.tagOrDigest());
    }

    @Test
    public void aUserRepositoryOnDockerHubKeepsItsPath() {
        assertEquals(new DockerReference("docker.io", "someone/app", "1.2", null), DockerReference.parse("someone/app:1.2"));
        assertEquals("index.docker.io is Docker Hub", new DockerReference("docker.io", "library/busybox", "latest", null),
                DockerReference.parse("index.docker.io/library/busybox"));
    }

    @Test
    public void theFirstComponentIsTheRegistryWhenItHasADotAColonOrIsLocalhost() {
        assertEquals(new DockerReference("quay.io", "team/app", "v1", null), DockerReference.parse("quay.io/team/app:v1"));
        assertEquals(new DockerReference("localhost", "app", "latest", null), DockerReference.parse("localhost/app"));
        assertEquals(new DockerReference("localhost:5000", "app", "v1", null), DockerReference.parse("localhost:5000/app:v1"));
        assertEquals("a plain first component is part of the path on Docker Hub",
                new DockerReference("docker.io", "team/app", "latest", null), DockerReference.parse("team/app"));
    }

    @Test
    public void aPortIsPartOfTheRegistryNotATag() {
        DockerReference ref = DockerReference.parse("127.0.0.1:5000/test/busybox");
        assertEquals(new DockerReference("127.0.0.1:5000", "test/busybox", "latest", null), ref);
        assertEquals("127.0.0.1:5000", ref.registryHost());
        assertEquals("127.0.0.1:5000/test/busybox", ref.repository());
        assertEquals("v2", DockerReference.parse("127.0.0.1:5000/test/busybox:v2").tag());
    }

    @Test
    public void aDigestNamesTheManifestAndNeedsNoTag() {
        DockerReference ref = DockerReference.parse("127.0.0.1:5000/test/busybox@" + DIGEST);
        assertNull(ref.tag());
        assertEquals(DIGEST, ref.digest());
        assertEquals(DIGEST, ref.tagOrDigest());
        assertEquals("127.0.0.1:5000/test/busybox@" + DIGEST, ref.toString());

        DockerReference both = DockerReference.parse("busybox:1.36@" + DIGEST);
        assertEquals("1.36", both.tag());
        assertEquals("the digest wins for the registry", DIGEST, both.tagOrDigest());
        assertEquals(new DockerReference("docker.io", "library/busybox", null, DIGEST), both.withDigest(DIGEST));
    }

    @Test
    public void badReferencesAreRefusedNamingWhatIsWrong() {
        assertRefused("", "is empty");
        assertRefused("Busybox", "repository");
        assertRefused("team//app", "repository");
        assertRefused("team/-app", "repository");
        assertRefused("busybox:", "tag");
        assertRefused("busybox:bad!tag", "tag");
        assertRefused("busybox:" + "x".repeat(129), "tag");
        assertRefused("busybox@sha256:abc", "digest");
        assertRefused("busybox@md5:" + "ab".repeat(16), "digest");
        assertRefused("bad_host.example.com/app", "registry");
        assertRefused("x".repeat(4097), "too long");
    }

    private static void assertRefused(String reference, String part) {
        BosunException e = assertThrows(BosunException.class, () -> DockerReference.parse(reference));
        assertEquals(ErrorKind.INVALID_ARGUMENT, e.kind());
        assertTrue(e.getMessage(), e.getMessage().startsWith("image reference '"));
        assertTrue("expected '" + part + "' in: " + e.getMessage(), e.getMessage().contains(part));
    }
}
