package org.bosun.stage1.oci;

import org.bosun.api.security.SecurityPolicy;

/** The SELinux labels the selinux module gave the app: its processes' and its file systems'. */
final class SelinuxOpts {
    private SelinuxOpts() {
    }

    static SpecOpt app(SecurityPolicy policy) {
        String process = policy.selinuxLabels().process();
        String mount = policy.selinuxLabels().mount();
        return spec -> {
            OciSpec labelled = process == null ? spec : spec.process(p -> p.withSelinuxLabel(process));
            return mount == null ? labelled : labelled.linux(l -> l.withMountLabel(mount));
        };
    }
}
