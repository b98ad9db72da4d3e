package org.bosun.api.security;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * An event log, replayed.
 *
 * @param log the log file
 * @param tpm the TPM the configuration names ({@code swtpm:host=...}), or null when none is configured
 * @param pcr the PCR bosun measures into
 * @param events the log's events, the Spec ID header first
 * @param replayed the PCR's value computed from the log, by bank ({@code sha256}), lower-case hex
 * @param reported the PCR's value the TPM reports, by bank; empty when it could not be read
 * @param problem why {@code reported} is empty (no TPM configured, the TPM does not answer) or, when the
 *        values differ, what is known of why; null when they match
 */
public record MeasurementReplay(Path log, String tpm, int pcr, List<Event> events, Map<String, String> replayed,
        Map<String, String> reported, String problem) {
    public MeasurementReplay {
        events = List.copyOf(events);
        replayed = Map.copyOf(replayed);
        reported = Map.copyOf(reported);
    }

    /** Whether the TPM was read and every bank of it equals the replayed value. */
    public boolean matches() {
        return !reported.isEmpty() && reported.equals(replayed);
    }

    /**
     * One event.
     *
     * @param offset where it starts in the log file
     * @param pcr the PCR it extended
     * @param type its TCG event type ({@code 0xD} EV_IPL, {@code 0x3} EV_NO_ACTION)
     * @param typeName the type's TCG name
     * @param digests its digests by bank, lower-case hex
     * @param description its event data as text
     */
    public record Event(long offset, int pcr, long type, String typeName, Map<String, String> digests,
            String description) {
        public Event {
            digests = Map.copyOf(digests);
        }
    }
}
