package org.bosun.cli;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.bosun.api.ErrorKind;
import org.bosun.command.protocol.Invocation;
import org.junit.Test;

import picocli.CommandLine;

/** {@code bosun bundle}: who may run it and how {@code --insecure-options=bundle} is read. */
public class BundleCommandTest {
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private CommandLine cli(int uid) {
        Session session = new Session(new Invocation(List.of(), Map.of(), "/work", uid, uid, false, 0),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), null, null, null);
        return RootCommand.commandLine(session);
    }

    @Test
    public void changingBundlesNeedsRootListingDoesNot() {
        assertEquals(ErrorKind.FAILED_PRECONDITION.exitCode(), cli(1000).execute("bundle", "uninstall", "com.example.x"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("needs root"));
        err.reset();
        // listing gets past the root check; without a framework it is unavailable
        assertEquals(ErrorKind.UNAVAILABLE.exitCode(), cli(1000).execute("bundle", "list"));
        assertFalse(err.toString(StandardCharsets.UTF_8).contains("needs root"));
    }

    @Test
    public void bundleIsAnInsecureOptionOfTheCliAndAllIncludesIt() {
        GlobalOptions options = new GlobalOptions();
        options.insecureOptions = "image,bundle";
        assertTrue(options.insecureBundles());
        assertEquals(java.util.Set.of(org.bosun.api.InsecureOption.IMAGE), options.insecure());
        options.insecureOptions = "all";
        assertTrue(options.insecureBundles());
        options.insecureOptions = "image";
        assertFalse(options.insecureBundles());
    }

    @Test
    public void anUnknownInsecureOptionNamesBundleAmongTheValidOnes() {
        GlobalOptions options = new GlobalOptions();
        options.insecureOptions = "bundles";
        try {
            options.insecureBundles();
        } catch (org.bosun.api.BosunException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("seccomp, bundle, all-fetch"));
            return;
        }
        throw new AssertionError("bundles was accepted");
    }
}
