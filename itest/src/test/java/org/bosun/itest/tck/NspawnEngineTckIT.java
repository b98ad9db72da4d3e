package org.bosun.itest.tck;

import java.util.List;

import org.bosun.tck.stage1.Stage1EngineTck;

/** The stage1 engine TCK on bosun's nspawn engine (systemd-nspawn), pods without a network (no CNI needed). */
public class NspawnEngineTckIT extends Stage1EngineTck {
    @Override
    protected String engineName() {
        return "nspawn";
    }

    @Override
    protected List<String> podFlags() {
        return List.of("--net=none");
    }
}
