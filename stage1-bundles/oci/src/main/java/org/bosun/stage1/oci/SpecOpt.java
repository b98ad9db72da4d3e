package org.bosun.stage1.oci;

import java.util.function.UnaryOperator;

/**
 * One concern's part of a container's spec, as containerd's {@code oci.SpecOpts}: a function of
 * the spec that sets what its concern decides and keeps the rest. A container's spec is
 * {@link OciSpec#EMPTY} with the options of its concerns applied in order ({@link ContainerSpecs}).
 */
@FunctionalInterface
interface SpecOpt extends UnaryOperator<OciSpec> {
    static OciSpec apply(OciSpec spec, SpecOpt... opts) {
        OciSpec result = spec;
        for (SpecOpt opt : opts) {
            result = opt.apply(result);
        }
        return result;
    }
}
