package org.bosun.api.image;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * One image format (appc, docker, oci). Implementations verify what they fetch according to
 * {@link FetchOptions#insecureOptions()} and refuse anything else with a message that says which
 * option would accept it.
 */
@ConsumerType
public interface ImageFormat {

    /** Resolves, fetches and verifies {@code reference}, which has one of this format's schemes. */
    ImageSource open(ImageReference reference, FetchOptions options);
}
