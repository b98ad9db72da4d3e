package org.bosun.image.appc;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.bosun.api.InsecureOption;
import org.bosun.api.RuntimePaths;
import org.bosun.api.trust.PublicKeyDiscovery;
import org.osgi.service.component.annotations.Component;

/**
 * The keys publishers announce with appc discovery's {@code ac-discovery-pubkeys}, for
 * {@code bosun trust --prefix=PREFIX} without a key file, and key downloads from URLs. As in rkt,
 * {@code --insecure-options=pubkey} accepts keys over plain HTTP and from unverified servers;
 * {@code tls} and {@code http} each allow what they allow for a fetch.
 */
@Component(service = PublicKeyDiscovery.class)
public final class AppcKeyDiscovery implements PublicKeyDiscovery {
    static final int MAX_KEY_BYTES = 4 << 20;

    @Override
    public List<KeyFile> discover(RuntimePaths paths, String prefix, Set<InsecureOption> insecureOptions) {
        HttpSource http = source(paths, insecureOptions);
        List<KeyFile> keys = new ArrayList<>();
        for (URI location : new Discovery(http, DiscoveryHosts.load(paths)).pubkeys(prefix)) {
            keys.add(new KeyFile(location, http.bytes(location, "the public key of " + prefix, MAX_KEY_BYTES)));
        }
        return keys;
    }

    @Override
    public KeyFile download(RuntimePaths paths, URI location, Set<InsecureOption> insecureOptions) {
        return new KeyFile(location, source(paths, insecureOptions).bytes(location, "the public key " + location,
                MAX_KEY_BYTES));
    }

    private static HttpSource source(RuntimePaths paths, Set<InsecureOption> insecureOptions) {
        boolean pubkey = insecureOptions.contains(InsecureOption.PUBKEY);
        // As fetch: tls accepts any certificate, http plain HTTP; pubkey, rkt's option for keys, both.
        return new HttpSource(paths, pubkey || insecureOptions.contains(InsecureOption.TLS),
                pubkey || insecureOptions.contains(InsecureOption.HTTP), "pubkey");
    }
}
