package org.bosun.stage1.oci;

import java.util.List;

import org.bosun.api.security.SecurityPolicy;
import org.bosun.host.HostCapabilities;

/**
 * The container's capabilities and no_new_privs. All five sets: inheritable and ambient stay empty
 * (as Docker does since CVE-2022-24769): root gets the bounding set on exec anyway, other users get
 * no capabilities, as in rkt.
 */
final class CapabilityOpts {
    private CapabilityOpts() {
    }

    /**
     * The policy's set as the core resolved it (every capability when their protection is off), cut
     * to what the host can give (else the container would fail).
     */
    static SpecOpt app(SecurityPolicy policy) {
        List<String> caps = HostCapabilities.within(policy.capabilities());
        return spec -> spec.process(p -> p.withCapabilities(sets(caps), policy.noNewPrivileges()));
    }

    /** None, and no new privileges: the infra container only sleeps. */
    static SpecOpt none() {
        return spec -> spec.process(p -> p.withCapabilities(sets(List.of()), true));
    }

    private static OciSpec.Capabilities sets(List<String> caps) {
        return new OciSpec.Capabilities(caps, caps, caps, List.of(), List.of());
    }
}
