package org.bosun.itest.tck;

import org.bosun.tck.stage1.Stage1EngineTck;

/** The stage1 engine TCK on bosun's fly engine (chroot, one app, host network, unsupervised). */
public class FlyEngineTckIT extends Stage1EngineTck {
    @Override
    protected String engineName() {
        return "fly";
    }
}
