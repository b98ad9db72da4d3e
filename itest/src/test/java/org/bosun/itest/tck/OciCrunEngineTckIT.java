package org.bosun.itest.tck;

import java.util.List;

import org.bosun.tck.stage1.Stage1EngineTck;

/** The stage1 engine TCK on bosun's oci engine with crun, pods without a network (no CNI needed). */
public class OciCrunEngineTckIT extends Stage1EngineTck {
    @Override
    protected String engineName() {
        return "oci";
    }

    @Override
    protected List<String> podFlags() {
        return List.of("--net=none", "--stage1-option=runtime=crun");
    }
}
