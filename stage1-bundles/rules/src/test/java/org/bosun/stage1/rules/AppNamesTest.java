package org.bosun.stage1.rules;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.bosun.api.BosunException;
import org.bosun.api.stage1.PodDirectory;
import org.junit.Test;

public class AppNamesTest {
    @Test
    public void anAcNameIsLowerCaseLettersDigitsAndSingleDashesBetweenThem() {
        for (String name : List.of("web", "a", "0", "web-2", "a-b-c")) {
            assertTrue(name, AppNames.isAcName(name));
        }
        for (String name : List.of("", "Web", "-web", "web-", "we--b", "we b", "we\nb", "web.1", "we/b", "wéb", "a_b")) {
            assertFalse(name, AppNames.isAcName(name));
        }
        assertFalse(AppNames.isAcName(null));
    }

    @Test
    public void anEngineRefusesAnAppWhoseNameIsNotAnAcNameInOneLine() {
        PodDirectory.App app = new PodDirectory.App("web\nx", Path.of("/p/apps/web/rootfs"), List.of("/bin/true"),
                Map.of(), 0, 0, "/", null, null, false, null, null, null, null, null, null);
        PodDirectory pod = new PodDirectory("1234", Path.of("/p"), List.of(app), Map.of());
        BosunException e = assertThrows(BosunException.class, () -> AppNames.require(pod, app));
        assertEquals(e.getMessage(), 1, e.getMessage().lines().count());
        assertTrue(e.getMessage(), e.getMessage().startsWith("app 'web\\x0ax' of pod 1234: "));
        assertTrue(e.getMessage(), e.getMessage().contains("not lower case letters, digits and single dashes"));
    }
}
