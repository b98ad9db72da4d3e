package org.bosun.host.archive;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.List;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.bosun.api.BosunException;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Any bytes, read as a tar archive streaming past: the check either refuses an entry (a {@link
 * BosunException}), the tar reader gives up (an {@link IOException}), or every entry it lets
 * through obeys the rule: a clean relative name below the prefix, a hard link to a clean name, a
 * relative link target that does not climb out as written. Anything else is a finding.
 */
class TarEntryCheckFuzzTest {
    private static final EntryRefusal REFUSAL = (entry, reason) -> BosunException.invalid("entry " + entry + " " + reason);

    @FuzzTest
    void anyArchiveIsRefusedOrObeysTheRule(FuzzedDataProvider data) {
        String prefix = data.consumeBoolean() ? "rootfs/" : "";
        TarEntryCheck check = new TarEntryCheck(prefix, "image", REFUSAL);
        try (TarArchiveInputStream tar = new TarArchiveInputStream(new ByteArrayInputStream(data.consumeRemainingAsBytes()))) {
            TarArchiveEntry header;
            while ((header = tar.getNextEntry()) != null) {
                TarEntry entry = check.check(header);
                if (entry != null) {
                    assertObeysTheRule(entry);
                }
            }
            check.finish();
        } catch (BosunException | IOException refusedOrUnreadable) {
            // what an archive that breaks the rule, or is no tar, gets
        }
    }

    static void assertObeysTheRule(TarEntry entry) {
        assertClean(entry.name(), entry);
        if (entry.type() == TarEntry.Type.HARD_LINK) {
            assertClean(entry.link(), entry);
        }
        if (entry.type() == TarEntry.Type.SYMLINK && !entry.link().startsWith("/")
                && EntryNames.linkTarget(entry.name(), entry.link()) == null) {
            throw new AssertionError("a link that climbs out as written was let through: " + entry);
        }
    }

    private static void assertClean(String name, TarEntry entry) {
        if (name == null || name.isEmpty() || name.startsWith("/") || name.indexOf('\0') >= 0
                || List.of(name.split("/")).stream().anyMatch(p -> p.isEmpty() || p.equals(".") || p.equals(".."))) {
            throw new AssertionError("a name that is not clean was let through: '" + name + "' of " + entry.rawName());
        }
    }
}
