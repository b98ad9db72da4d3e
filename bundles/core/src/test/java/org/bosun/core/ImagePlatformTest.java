package org.bosun.core;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.List;
import java.util.Map;

import org.bosun.api.BosunException;
import org.bosun.api.ErrorKind;
import org.bosun.api.image.ImageManifest;
import org.junit.Test;

public class ImagePlatformTest {
    private static final String ARCH = ImagePlatform.hostArchitectures().iterator().next();

    private static ImageManifest labelled(Map<String, String> labels) {
        return new ImageManifest("example.com/app", labels, List.of("/bin/sh"), "0", "0", "/", Map.of(), Map.of());
    }

    private static String refusal(Map<String, String> labels) {
        BosunException e = assertThrows(BosunException.class,
                () -> ImagePlatform.check(labelled(labels), "/images/app.aci"));
        assertEquals(e.getMessage(), ErrorKind.INVALID_ARGUMENT, e.kind());
        assertTrue(e.getMessage(), e.getMessage().startsWith("image /images/app.aci (example.com/app) "));
        return e.getMessage();
    }

    @Test
    public void anImageForThisHostRunsUnderAppcsOrGosName() {
        for (String arch : ImagePlatform.hostArchitectures()) {
            ImagePlatform.check(labelled(Map.of("os", "linux", "arch", arch)), "example.com/app");
        }
    }

    @Test
    public void anImageThatDoesNotSayItsPlatformIsRefusedAsRktDid() {
        assertTrue(refusal(Map.of()).contains("does not say which os and arch it is built for"));
        assertTrue(refusal(Map.of("os", "linux")).contains("does not say which arch"));
        assertTrue(refusal(Map.of("arch", ARCH)).contains("does not say which os "));
    }

    @Test
    public void anImageForAnotherPlatformIsRefusedNamingBoth() {
        String message = refusal(Map.of("os", "linux", "arch", "s390x"));
        assertTrue(message, message.contains("is built for linux/s390x, and this host runs linux/" + ARCH));
        assertTrue(refusal(Map.of("os", "freebsd", "arch", ARCH)).contains("freebsd/" + ARCH));
    }
}
