package org.bosun.host.archive;

import org.bosun.api.BosunException;

/**
 * How the caller words a refused entry: it knows what the archive is (an image, one of its layers)
 * and the checks here know what is wrong with the entry.
 */
@FunctionalInterface
public interface EntryRefusal {
    /**
     * @param entryName the entry's name as the archive holds it
     * @param reason what is wrong, to follow the name: {@code "is a device node; ..."}
     * @return the exception to throw
     */
    BosunException refuse(String entryName, String reason);
}
