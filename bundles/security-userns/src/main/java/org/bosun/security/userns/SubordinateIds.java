package org.bosun.security.userns;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.bosun.api.BosunException;

/**
 * The host's subordinate id ranges, {@code /etc/subuid} and {@code /etc/subgid} (subuid(5):
 * {@code NAME-OR-ID:START:COUNT} a line): ids the host gave its users for their own user
 * namespaces, which bosun must not give a pod.
 */
final class SubordinateIds {
    private SubordinateIds() {
    }

    /** The {@code {start, count}} ranges of all the files; a missing file has none. */
    static List<long[]> read(List<Path> files) {
        List<long[]> ranges = new ArrayList<>();
        for (Path file : files) {
            List<String> lines;
            try {
                lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            } catch (NoSuchFileException e) {
                continue;
            } catch (IOException e) {
                throw BosunException.internal("cannot read " + file + ": " + e.getMessage(), e);
            }
            int number = 0;
            for (String line : lines) {
                number++;
                String text = line.strip();
                if (text.isEmpty() || text.startsWith("#")) {
                    continue;
                }
                String[] f = text.split(":");
                try {
                    if (f.length != 3) {
                        throw new NumberFormatException();
                    }
                    ranges.add(new long[] {Long.parseLong(f[1].strip()), Long.parseLong(f[2].strip())});
                } catch (NumberFormatException e) {
                    // A range bosun cannot read could be one it hands out: refuse rather than guess.
                    throw BosunException.invalid(file + " line " + number + " is not NAME:START:COUNT ('" + text
                            + "'); fix it, bosun keeps pods out of the ranges it lists");
                }
            }
        }
        return ranges;
    }
}
