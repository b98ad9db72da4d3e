package org.bosun.api.app;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import org.bosun.api.BosunException;
import org.bosun.api.ErrorKind;
import org.junit.Test;

public class AppIoTest {
    @Test
    public void theCriLogIsALineOfItsOwnAndReadBack() {
        AppIo io = AppIo.DEFAULT.withCriLog("/var/log/pods/team_web_uid/main/0 copy.log");
        assertEquals("stdin null\nstdout log\nstderr log\ncri-log /var/log/pods/team_web_uid/main/0 copy.log\n",
                io.text());
        assertEquals(io, AppIo.parse(io.text()));
        assertNull(AppIo.parse(AppIo.DEFAULT.text()).criLog());
    }

    @Test
    public void aCriLogPathMustBeAnAbsoluteFileOnOneLine() {
        for (String bad : new String[] {"main/0.log", "/var/log/pods/", "/var/log/a\nb"}) {
            BosunException e = assertThrows(BosunException.class, () -> AppIo.DEFAULT.withCriLog(bad));
            assertEquals(ErrorKind.INVALID_ARGUMENT, e.kind());
            assertTrue(e.getMessage(), e.getMessage().contains("not an absolute path of a file"));
        }
    }
}
