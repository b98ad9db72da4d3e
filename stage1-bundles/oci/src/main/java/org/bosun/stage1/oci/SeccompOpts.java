package org.bosun.stage1.oci;

import java.io.IOException;
import java.util.Base64;

import org.bosun.api.BosunException;
import org.bosun.api.security.SecurityPolicy;
import org.bosun.api.stage1.PodDirectory;
import org.bosun.seccomp.bpf.SeccompBpf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The app's seccomp profile: the {@code linux.seccomp} section, and for a runtime that takes a
 * compiled program (crun) the program too. Compiling the profile here, once, spares crun the ~9 ms
 * libseccomp takes for a three-architecture profile at every container start. The section stays
 * in the spec, complete (crun still reads its flags from it), and is what any other runtime uses.
 */
final class SeccompOpts {
    /** crun's annotation for a seccomp program it loads as it is, instead of compiling the section. */
    static final String SECCOMP_BPF_ANNOTATION = "run.oci.seccomp_bpf_data";
    private static final ObjectMapper JSON = new ObjectMapper();

    private SeccompOpts() {
    }

    /** Nothing when the policy has no profile. */
    static SpecOpt app(PodDirectory.App app, SecurityPolicy policy, boolean compiled) {
        if (policy.seccompProfile() == null || policy.seccompProfile().isBlank()) {
            return spec -> spec;
        }
        JsonNode profile = profile(app, policy.seccompProfile());
        return spec -> {
            OciSpec filtered = spec.linux(l -> l.withSeccomp(new OciSpec.Seccomp(profile)));
            if (!compiled) {
                return filtered;
            }
            // empty for what only libseccomp compiles exactly (argument conditions, ...): crun does it then
            return SeccompBpf.compile(profile).map(program -> filtered.withAnnotation(SECCOMP_BPF_ANNOTATION,
                    Base64.getEncoder().encodeToString(program))).orElse(filtered);
        };
    }

    private static JsonNode profile(PodDirectory.App app, String profile) {
        try {
            JsonNode node = JSON.readTree(profile);
            if (node == null || !node.isObject()) {
                throw new IOException("not a JSON object");
            }
            return node;
        } catch (IOException e) {
            throw BosunException.invalid("the seccomp profile of app " + app.name() + " is not OCI JSON ("
                    + e.getMessage().lines().findFirst().orElse("") + "); fix the profile in seccomp.d");
        }
    }
}
