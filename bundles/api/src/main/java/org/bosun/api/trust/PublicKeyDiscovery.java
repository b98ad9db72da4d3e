package org.bosun.api.trust;

import java.net.URI;
import java.util.List;
import java.util.Set;

import org.bosun.api.InsecureOption;
import org.bosun.api.RuntimePaths;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Finds and downloads the public keys that publishers announce for their images, for
 * {@code bosun trust --prefix=PREFIX} without a key file (appc meta discovery's
 * {@code ac-discovery-pubkeys}) or with a key URL. It only downloads: what is downloaded is
 * trusted by {@link TrustStore#trust} after the user reviewed it.
 * <p>
 * Downloads use HTTPS with verified certificates; {@code pubkey} in the insecure options accepts
 * plain HTTP and unverified certificates, as in rkt.
 */
@ConsumerType
public interface PublicKeyDiscovery {

    /**
     * Discovers where the publisher of the images named {@code prefix} keeps its keys and downloads
     * them. Refuses, with one line naming the discovery URLs tried, when nothing is announced.
     */
    List<KeyFile> discover(RuntimePaths paths, String prefix, Set<InsecureOption> insecureOptions);

    /** Downloads one key file. */
    KeyFile download(RuntimePaths paths, URI location, Set<InsecureOption> insecureOptions);

    /**
     * A downloaded key file, not trusted yet.
     *
     * @param location where it came from
     * @param data its bytes (armored or binary OpenPGP public keys)
     */
    record KeyFile(URI location, byte[] data) {
    }
}
