package org.bosun.host.archive;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.bosun.api.BosunException;
import org.bosun.host.files.FileTree;
import org.junit.jupiter.api.AfterAll;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Archives made of names, links and types a hostile image would use (.., absolute names, links
 * to the outside and to each other, whiteout-like names, the mount points), extracted one after
 * another as layers into a scratch tree: whatever is refused, nothing outside the tree may ever be
 * written, linked or removed. The scratch directory holds the tree and, beside it, an "outside"
 * directory with a file whose content, link count and siblings are checked after every input.
 */
class TarExtractionFuzzTest {
    private static final String SECRET = "host\n";
    private static Path scratch;
    private static Path tree;
    private static Path outside;
    private static Path secret;
    private static String[] components;

    private static synchronized void layOut() throws IOException {
        if (scratch != null) {
            return;
        }
        scratch = Files.createTempDirectory("bosun-fuzz-tar-").toRealPath();
        tree = scratch.resolve("tree");
        outside = Files.createDirectories(scratch.resolve("outside"));
        secret = Files.writeString(outside.resolve("secret"), SECRET);
        components = new String[] {"a", "b", "..", ".", "", "dev", "etc", "l", "secret", ".wh.a", outside.toString(),
                "/", scratch.toString(), "tree", "outside"};
    }

    @AfterAll
    static void removeScratch() throws IOException {
        if (scratch != null) {
            FileTree.delete(scratch);
        }
    }

    @FuzzTest
    void nothingOutsideTheTreeIsEverTouched(FuzzedDataProvider data) throws IOException {
        layOut();
        if (Files.exists(tree, LinkOption.NOFOLLOW_LINKS)) {
            FileTree.delete(tree);
        }
        Files.createDirectories(tree);
        int archives = data.consumeInt(1, 3);
        for (int i = 0; i < archives; i++) {
            byte[] archive;
            try {
                archive = archive(data).bytes();
            } catch (IllegalStateException notWritable) {
                break; // entries no tar writer can write (a file named like a directory): no archive holds them
            }
            try {
                extract(archive);
            } catch (BosunException | IOException refused) {
                break; // a refused layer ends the image
            }
        }
        assertOutsideUntouched();
    }

    private static Tar archive(FuzzedDataProvider data) {
        Tar tar = new Tar();
        int entries = data.consumeInt(0, 10);
        for (int i = 0; i < entries; i++) {
            String name = path(data);
            switch (data.consumeInt(0, 5)) {
                case 0 -> tar.dir(name, 0755);
                case 1 -> tar.symlink(name, path(data));
                case 2 -> tar.hardLink(name, path(data));
                case 3 -> tar.device(name);
                default -> tar.raw(name, "x");
            }
        }
        return tar;
    }

    /** A path of 1 to 4 components, absolute or not; now and then a free string. */
    private static String path(FuzzedDataProvider data) {
        if (data.consumeInt(0, 9) == 0) {
            return data.consumeString(40);
        }
        List<String> parts = new ArrayList<>();
        int n = data.consumeInt(1, 4);
        for (int i = 0; i < n; i++) {
            parts.add(data.pickValue(components));
        }
        return (data.consumeBoolean() ? "/" : "") + String.join("/", parts);
    }

    private static void extract(byte[] archive) throws IOException {
        TarExtraction extraction = new TarExtraction(tree, "", "tree",
                (entry, reason) -> BosunException.invalid("entry " + entry + " " + reason));
        try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(archive))) {
            TarArchiveEntry header;
            while ((header = in.getNextEntry()) != null) {
                TarEntry entry = extraction.check(header);
                if (entry != null) {
                    extraction.write(in, entry);
                }
            }
        }
        extraction.finish();
    }

    private static void assertOutsideUntouched() throws IOException {
        List<Path> strays = new ArrayList<>();
        try (Stream<Path> all = Files.walk(scratch)) {
            all.filter(p -> !p.equals(scratch) && !p.startsWith(tree) && !p.equals(outside) && !p.equals(secret))
                    .forEach(strays::add);
        }
        if (!strays.isEmpty()) {
            throw new AssertionError("written outside the tree: " + strays);
        }
        if (!Files.isRegularFile(secret, LinkOption.NOFOLLOW_LINKS)
                || !SECRET.equals(Files.readString(secret, StandardCharsets.UTF_8))
                || !Integer.valueOf(1).equals(Files.getAttribute(secret, "unix:nlink", LinkOption.NOFOLLOW_LINKS))
                || !Files.isDirectory(outside, LinkOption.NOFOLLOW_LINKS)) {
            throw new AssertionError("the file outside the tree was changed or linked");
        }
    }
}
