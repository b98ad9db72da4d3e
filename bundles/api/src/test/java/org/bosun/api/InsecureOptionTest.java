package org.bosun.api;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.EnumSet;
import java.util.Set;

import org.junit.Test;

public class InsecureOptionTest {

    @Test
    public void parsesACommaSeparatedListOfSingleOptions() {
        assertEquals(EnumSet.of(InsecureOption.IMAGE, InsecureOption.TLS), InsecureOption.parse("image,tls"));
    }

    @Test
    public void ignoresCaseAndSpacesAroundWords() {
        assertEquals(EnumSet.of(InsecureOption.IMAGE, InsecureOption.SECCOMP), InsecureOption.parse(" Image , SECCOMP "));
    }

    @Test
    public void allFetchSwitchesOffTheFetchChecksAsInRkt() {
        assertEquals(EnumSet.of(InsecureOption.IMAGE, InsecureOption.TLS, InsecureOption.HTTP, InsecureOption.PUBKEY),
                InsecureOption.parse("all-fetch"));
    }

    @Test
    public void allRunSwitchesOffCapabilitiesPathsAndSeccomp() {
        Set<InsecureOption> set = InsecureOption.parse("all-run");
        assertTrue(set.containsAll(EnumSet.of(InsecureOption.CAPABILITIES, InsecureOption.PATHS, InsecureOption.SECCOMP)));
        assertTrue("all-run must not switch off fetch checks: " + set, !set.contains(InsecureOption.IMAGE)
                && !set.contains(InsecureOption.TLS) && !set.contains(InsecureOption.HTTP)
                && !set.contains(InsecureOption.PUBKEY));
    }

    @Test
    public void allRunAlsoSwitchesOffTheOnDiskCheckAsInRkt() {
        assertEquals(EnumSet.of(InsecureOption.ONDISK, InsecureOption.CAPABILITIES, InsecureOption.PATHS,
                InsecureOption.SECCOMP), InsecureOption.parse("all-run"));
    }

    @Test
    public void allSwitchesOffEveryCheck() {
        assertEquals(EnumSet.allOf(InsecureOption.class), InsecureOption.parse("all"));
    }

    @Test
    public void noneTheEmptyStringAndNullGiveTheEmptySet() {
        assertTrue(InsecureOption.parse("none").isEmpty());
        assertTrue(InsecureOption.parse("").isEmpty());
        assertTrue(InsecureOption.parse(null).isEmpty());
    }

    @Test
    public void noneCombinedWithAnOptionKeepsTheOption() {
        assertEquals(EnumSet.of(InsecureOption.IMAGE), InsecureOption.parse("none,image"));
    }

    @Test
    public void refusesAnUnknownWordNamingItInTheMessage() {
        try {
            InsecureOption.parse("image,bogus");
            fail("an unknown word was accepted");
        } catch (BosunException e) {
            assertEquals(ErrorKind.INVALID_ARGUMENT, e.kind());
            assertTrue(e.getMessage(), e.getMessage().contains("'bogus'"));
            assertTrue(e.getMessage(), e.getMessage().contains("--insecure-options"));
            assertTrue("one line: " + e.getMessage(), !e.getMessage().contains("\n"));
        }
    }

    @Test
    public void flagNameIsTheLowerCaseName() {
        assertEquals("ondisk", InsecureOption.ONDISK.flagName());
        for (InsecureOption o : InsecureOption.values()) {
            assertEquals(EnumSet.of(o), InsecureOption.parse(o.flagName()));
        }
    }
}
