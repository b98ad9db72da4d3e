package org.bosun.api.security;

import org.bosun.api.RuntimePaths;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The record a measuring module keeps of what it measured: a TPM event log in the data directory,
 * replayed against the PCR it extended. Provided by the TPM module; {@code bosun tpm log} shows it.
 */
@ProviderType
public interface MeasurementLog {

    /**
     * Reads the event log of the data directory in {@code paths} and replays it. Asks the TPM of
     * the configuration in {@code paths} for the PCR's current value when one is configured and
     * answers; a log that cannot be parsed is an {@link org.bosun.api.BosunException#invalid invalid}
     * error naming the file and the offset.
     */
    MeasurementReplay replay(RuntimePaths paths);
}
