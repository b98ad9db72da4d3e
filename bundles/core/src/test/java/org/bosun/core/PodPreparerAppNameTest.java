package org.bosun.core;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.List;
import java.util.Map;

import org.bosun.api.BosunException;
import org.bosun.api.ErrorKind;
import org.bosun.api.image.ImageManifest;
import org.bosun.api.pod.AppRequest;
import org.junit.Test;

public class PodPreparerAppNameTest {

    private static ImageManifest image(String name) {
        return new ImageManifest(name, Map.of(), List.of("/bin/sh"), "0", "0", null, Map.of(), Map.of());
    }

    private static AppRequest named(String name) {
        return new AppRequest("/images/x.aci", name, null, null, null, null, null, null);
    }

    @Test
    public void usesTheGivenNameWhenItIsAValidAcName() {
        assertEquals("web-1", PodPreparer.appName(named("web-1"), image("example.com/nginx")));
        assertEquals("a", PodPreparer.appName(named("a"), image("example.com/nginx")));
    }

    /** issue 12 item 10: a 300-character name failed later, on a file name; now it is refused here. */
    @Test
    public void refusesANameLongerThanFilesAndUnitsCanHold() {
        String longest = "a".repeat(PodPreparer.MAX_APP_NAME);
        assertEquals(longest, PodPreparer.appName(named(longest), image("example.com/nginx")));
        BosunException e = assertThrows(BosunException.class,
                () -> PodPreparer.appName(named("a".repeat(300)), image("example.com/nginx")));
        assertEquals(ErrorKind.INVALID_ARGUMENT, e.kind());
        assertTrue(e.getMessage(), e.getMessage().contains("300 characters long"));
        // a name taken from a long image name is cut instead, as the user gave none
        String derived = PodPreparer.appName(named(null), image("example.com/" + "b".repeat(199) + "-" + "c".repeat(99)));
        assertEquals("b".repeat(199), derived);
    }

    @Test
    public void refusesAGivenNameThatIsNotAnAcName() {
        for (String bad : new String[] {"Web", "web_1", "web--1", "-web", "web-", "", "we b", "../x", "a/b"}) {
            BosunException e = assertThrows(bad, BosunException.class,
                    () -> PodPreparer.appName(named(bad), image("example.com/nginx")));
            assertEquals(bad, ErrorKind.INVALID_ARGUMENT, e.kind());
            assertTrue(e.getMessage(), e.getMessage().contains("'" + bad + "'"));
        }
    }

    @Test
    public void defaultsToTheLastPartOfTheImageName() {
        assertEquals("busybox", PodPreparer.appName(AppRequest.ofImage("x"), image("example.com/busybox")));
        assertEquals("etcd", PodPreparer.appName(AppRequest.ofImage("x"), image("coreos.com/tools/etcd")));
        assertEquals("busybox", PodPreparer.appName(AppRequest.ofImage("x"), image("busybox")));
    }

    @Test
    public void turnsOtherCharactersOfTheImageNameIntoSingleDashes() {
        assertEquals("app-v2", PodPreparer.appName(AppRequest.ofImage("x"), image("example.com/app.v2")));
        assertEquals("my-app", PodPreparer.appName(AppRequest.ofImage("x"), image("example.com/My__App")));
        assertEquals("busybox-1-36", PodPreparer.appName(AppRequest.ofImage("x"), image("docker.io/library/busybox:1.36")));
        assertEquals("a-b", PodPreparer.appName(AppRequest.ofImage("x"), image("example.com/~a~~b~")));
    }

    @Test
    public void fallsBackToAppWhenNothingOfTheImageNameIsLeft() {
        assertEquals("app", PodPreparer.appName(AppRequest.ofImage("x"), image("example.com/...")));
        assertEquals("app", PodPreparer.appName(AppRequest.ofImage("x"), image("example.com/")));
    }
}
