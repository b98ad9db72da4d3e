package org.bosun.security.tpm;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.bosun.api.BosunException;
import org.bosun.security.tpm.TcgEventLog.Bank;

/**
 * A digest of directory trees that depends on their content and metadata only, so anyone can
 * recompute it from the same trees. Each tree is walked depth-first, the entries of a directory
 * in the byte order of their UTF-8 names, links never followed; each entry contributes one record
 *
 * <pre>
 * TYPE MODE UID GID PATH \0 EXTRA \n
 * </pre>
 *
 * where TYPE is {@code d f l c b p s}, MODE the permission bits in four octal digits, PATH the
 * entry's path relative to the tree ({@code .} for its root), and EXTRA the size and SHA-256 of a
 * file's content ({@code 123 ab12...}), a link's target, a device's number, or nothing. The digest
 * is H({@code bosun-tree-v1\n}, then for each tree {@code tree N\n} and its records). Extended
 * attributes (file capabilities, SELinux labels) are not covered.
 */
final class TreeDigest {
    static final String VERSION = "bosun-tree-v1\n";

    private final Map<Bank, MessageDigest> digests = new LinkedHashMap<>();
    private final MessageDigest content;
    private final byte[] buffer = new byte[1 << 16];

    private TreeDigest(List<Bank> banks) {
        for (Bank bank : banks) {
            digests.put(bank, bank.digest());
        }
        content = Bank.SHA256.digest();
    }

    /** The digests, by bank, of {@code trees} in this order. */
    static Map<Bank, byte[]> of(List<Path> trees, List<Bank> banks) {
        TreeDigest walk = new TreeDigest(banks);
        walk.write(VERSION);
        for (int i = 0; i < trees.size(); i++) {
            walk.write("tree " + i + "\n");
            walk.entry(trees.get(i), ".");
        }
        Map<Bank, byte[]> result = new LinkedHashMap<>();
        walk.digests.forEach((bank, md) -> result.put(bank, md.digest()));
        return result;
    }

    private void entry(Path path, String relative) {
        Map<String, Object> attrs;
        try {
            attrs = Files.readAttributes(path, "unix:mode,uid,gid,rdev,size", LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            throw BosunException.unavailable("cannot measure " + path + ": " + e.getMessage());
        }
        int mode = (Integer) attrs.get("mode");
        char type = switch (mode & 0170000) {
            case 0040000 -> 'd';
            case 0100000 -> 'f';
            case 0120000 -> 'l';
            case 0020000 -> 'c';
            case 0060000 -> 'b';
            case 0010000 -> 'p';
            case 0140000 -> 's';
            default -> '?';
        };
        String extra = switch (type) {
            case 'f' -> attrs.get("size") + " " + TcgEventLog.hex(fileDigest(path));
            case 'l' -> linkTarget(path);
            case 'c', 'b' -> String.valueOf(attrs.get("rdev"));
            default -> "";
        };
        write(type + " " + String.format("%04o", mode & 07777) + " " + attrs.get("uid") + " " + attrs.get("gid") + " "
                + relative + "\0" + extra + "\n");
        if (type == 'd') {
            for (String name : sortedNames(path)) {
                entry(path.resolve(name), relative.equals(".") ? name : relative + "/" + name);
            }
        }
    }

    private static List<String> sortedNames(Path dir) {
        List<String> names = new ArrayList<>();
        try (Stream<Path> list = Files.list(dir)) {
            list.forEach(p -> names.add(p.getFileName().toString()));
        } catch (IOException e) {
            throw BosunException.unavailable("cannot measure " + dir + ": " + e.getMessage());
        }
        names.sort((a, b) -> Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8)));
        return names;
    }

    private byte[] fileDigest(Path file) {
        content.reset();
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                content.update(buffer, 0, n);
            }
        } catch (IOException e) {
            throw BosunException.unavailable("cannot measure " + file + ": " + e.getMessage());
        }
        return content.digest();
    }

    private static String linkTarget(Path link) {
        try {
            return Files.readSymbolicLink(link).toString();
        } catch (IOException e) {
            throw BosunException.unavailable("cannot measure " + link + ": " + e.getMessage());
        }
    }

    private void write(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        digests.values().forEach(md -> md.update(bytes));
    }
}
