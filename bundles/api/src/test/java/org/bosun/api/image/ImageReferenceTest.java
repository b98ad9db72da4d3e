package org.bosun.api.image;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.fail;

import java.nio.file.Path;

import org.bosun.api.BosunException;
import org.bosun.api.ErrorKind;
import org.junit.Test;

public class ImageReferenceTest {
    private static final Path CWD = Path.of("/work");

    private static ImageReference parse(String reference) {
        return ImageReference.parse(reference, CWD);
    }

    private static void assertReference(String scheme, String location, ImageReference ref) {
        assertEquals("scheme of " + ref.original(), scheme, ref.scheme());
        assertEquals("location of " + ref.original(), location, ref.location());
    }

    @Test
    public void aDotSlashPathIsAFileRelativeToTheCallersDirectory() {
        ImageReference ref = parse("./x.aci");
        assertReference("file", "/work/x.aci", ref);
        assertEquals("./x.aci", ref.original());
        assertEquals("./x.aci", ref.toString());
    }

    @Test
    public void aDotDotPathIsNormalised() {
        assertReference("file", "/images/x.aci", parse("../images/x.aci"));
    }

    @Test
    public void anAbsolutePathIsAFileAsGiven() {
        assertReference("file", "/abs.aci", parse("/abs.aci"));
    }

    @Test
    public void aBareFileNameWithAnExtensionIsAFileRelativeToTheCallersDirectory() {
        assertReference("file", "/work/busybox.aci", parse("busybox.aci"));
    }

    @Test
    public void aFileUrlIsAFile() {
        assertReference("file", "/srv/images/x.aci", parse("file:///srv/images/x.aci"));
    }

    @Test
    public void aDockerReferenceKeepsNameAndTag() {
        assertReference("docker", "busybox:1", parse("docker://busybox:1"));
    }

    @Test
    public void theSchemeIsMatchedWithoutRegardToCase() {
        assertReference("docker", "busybox:1", parse("DOCKER://busybox:1"));
    }

    @Test
    public void aRelativeOciLayoutIsResolvedAgainstTheCallersDirectory() {
        assertReference("oci", "/work/dir", parse("oci:dir"));
        assertReference("oci-archive", "/work/a.tar:latest", parse("oci-archive:a.tar:latest"));
        assertReference("docker-archive", "/srv/b.tar", parse("docker-archive:/srv/b.tar"));
    }

    @Test
    public void anHttpsUrlKeepsTheWholeUrlAsLocation() {
        assertReference("https", "https://h/x.aci", parse("https://h/x.aci"));
        assertReference("http", "http://h/x.aci", parse("http://h/x.aci"));
    }

    @Test
    public void aBareNameWithATagIsAnAppcDiscoveryName() {
        assertReference("appc", "example.com/app:v1", parse("example.com/app:v1"));
        assertReference("appc", "example.com/app", parse("example.com/app"));
    }

    @Test
    public void aBareNameWithADottedVersionTagIsAnAppcDiscoveryName() {
        assertReference("appc", "coreos.com/etcd:v3.1.7", parse("coreos.com/etcd:v3.1.7"));
    }

    @Test
    public void refusesAnEmptyReference() {
        for (String empty : new String[] {"", "   ", null}) {
            try {
                parse(empty);
                fail("'" + empty + "' was accepted");
            } catch (BosunException e) {
                assertEquals(ErrorKind.INVALID_ARGUMENT, e.kind());
            }
        }
    }
}
