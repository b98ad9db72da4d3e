package org.bosun.itest.tck;

import java.util.List;

import org.bosun.tck.stage1.Stage1EngineTck;

/**
 * The stage1 engine TCK on the example vendor engine (examples/bwrap-engine), built against the SDK
 * only: what a vendor runs in its own build, run here so the example keeps passing it. The itest
 * build makes the jar (antrun, pre-integration-test) and names it in {@code bosun.example.bwrap}.
 * Pods without a network: the example joins a network namespace bosun made, which needs CNI, and the
 * TCK checks the engine, not the network.
 */
public class BwrapEngineTckIT extends Stage1EngineTck {
    @Override
    protected String engineName() {
        return "bwrap";
    }

    @Override
    protected List<String> podFlags() {
        return List.of("--net=none");
    }

    @Override
    protected List<String> engineBundles() {
        String jar = System.getProperty("bosun.example.bwrap");
        if (jar == null) {
            throw new IllegalStateException("bosun.example.bwrap is not set: run this class with the itest's failsafe configuration");
        }
        return List.of(jar);
    }
}
