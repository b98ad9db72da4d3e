package org.bosun.host.config;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.bosun.api.BosunException;
import org.bosun.api.ErrorKind;
import org.bosun.api.RuntimePaths;
import org.bosun.host.files.Scratch;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;

public class ConfigFolderTest {
    @Rule
    public final Scratch scratch = new Scratch();

    private Path system;
    private Path local;
    private ConfigFolder folder;

    @Before
    public void layOut() {
        system = scratch.root().resolve("usr-lib-bosun");
        local = scratch.root().resolve("etc-bosun");
        folder = ConfigFolder.of(new RuntimePaths(scratch.root().resolve("data"), local, system), "net.d");
    }

    private Path write(Path configDir, String name) throws IOException {
        Path dir = Files.createDirectories(configDir.resolve("net.d"));
        return Files.writeString(dir.resolve(name), name);
    }

    @Test
    public void listsTheSystemFilesThenTheLocalOnesEachInNameOrder() throws IOException {
        Path s2 = write(system, "20-b.conf");
        Path s1 = write(system, "10-a.conflist");
        Path l2 = write(local, "99-z.conf");
        Path l1 = write(local, "01-first.conf");
        assertEquals(List.of(s1, s2, l1, l2), folder.files("*.{conf,conflist}"));
        assertEquals(system.resolve("net.d"), folder.system());
        assertEquals(local.resolve("net.d"), folder.local());
    }

    @Test
    public void onlyFilesMatchingTheGlobAndNoDirectories() throws IOException {
        Path json = write(system, "a.json");
        write(system, "README");
        write(system, "a.json.orig");
        Files.createDirectories(system.resolve("net.d/dir.json"));
        Path hidden = write(system, ".hidden.json");
        assertEquals(List.of(hidden, json), folder.files("*.json"));
    }

    @Test
    public void missingFoldersAndAFileWhereTheFolderWouldBeHoldNothing() throws IOException {
        assertEquals(List.of(), folder.files("*"));
        Files.createDirectories(local);
        Files.writeString(local.resolve("net.d"), "not a folder");
        assertEquals(List.of(), folder.files("*"));
        assertEquals(Optional.empty(), folder.find("x"));
    }

    @Test
    public void aLocalFileReplacesTheSystemFileOfItsName() throws IOException {
        write(system, "a.pem");
        Path b = write(system, "b.pem");
        Path a = write(local, "a.pem");
        Path c = write(local, "c.crt");
        Map<String, Path> byName = folder.byName("*.{pem,crt}");
        assertEquals(List.of("a.pem", "b.pem", "c.crt"), List.copyOf(byName.keySet()));
        assertEquals(List.of(a, b, c), List.copyOf(byName.values()));
    }

    @Test
    public void findPrefersTheLocalFileAndSkipsDirectories() throws IOException {
        Path systemOnly = write(system, "only.json");
        write(system, "both.json");
        Path localBoth = write(local, "both.json");
        Files.createDirectories(local.resolve("net.d/only.json"));
        assertEquals(Optional.of(localBoth), folder.find("both.json"));
        assertEquals(Optional.of(systemOnly), folder.find("only.json"));
        assertEquals(Optional.empty(), folder.find("none.json"));
    }

    @Test
    public void aFolderThatCannotBeReadIsOneClearLineNamingIt() throws IOException {
        // A loop of links: ELOOP, which no user (root included) can list.
        Files.createDirectories(local);
        Files.createSymbolicLink(local.resolve("net.d"), local.resolve("loop.d"));
        Files.createSymbolicLink(local.resolve("loop.d"), local.resolve("net.d"));
        BosunException e = assertThrows(BosunException.class, () -> folder.files("*.conf"));
        assertEquals(ErrorKind.FAILED_PRECONDITION, e.kind());
        assertTrue(e.getMessage(), e.getMessage().startsWith("cannot read the configuration directory " + local.resolve("net.d")));
        assertFalse(e.getMessage(), e.getMessage().contains("\n"));
    }
}
