package org.bosun.cni.api;

import java.util.List;

/**
 * What a plugin's {@code VERSION} reported.
 *
 * @param cniVersion the version of the answer
 * @param supportedVersions the CNI versions the plugin speaks
 */
public record VersionInfo(String cniVersion, List<String> supportedVersions) {
    public VersionInfo {
        supportedVersions = List.copyOf(supportedVersions);
    }

    public boolean supports(String version) {
        return supportedVersions.contains(version);
    }
}
