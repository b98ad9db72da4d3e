package org.bosun.api.pod;

import java.util.List;

/**
 * What one garbage collection did.
 *
 * @param marked pods moved to garbage, to be deleted after the grace period
 * @param removed pods deleted
 * @param failures one line per pod that could not be collected, with the reason
 */
public record GcReport(List<String> marked, List<String> removed, List<String> failures) {
    public GcReport {
        marked = List.copyOf(marked);
        removed = List.copyOf(removed);
        failures = List.copyOf(failures);
    }
}
