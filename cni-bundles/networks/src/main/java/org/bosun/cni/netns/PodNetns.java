package org.bosun.cni.netns;

import java.nio.file.Path;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Creates and removes the named network namespace of a pod, {@code /run/netns/bosun-<uuid prefix>}
 * (as {@code ip netns add} does: a bind mount of a new namespace), so that an engine can hand it to
 * its tool ({@code systemd-nspawn --network-namespace-path=}, an OCI {@code network} namespace
 * path) and CNI plugins can be run against it before the pod starts.
 * <p>
 * The namespace is recorded in {@code <podDir>/net/netns} before it is created, so a pod whose
 * preparation was killed half-way still has its namespace removed by {@link #delete} (and by the
 * network provider's {@code detach}).
 */
@ProviderType
public interface PodNetns {

    /**
     * Creates the pod's network namespace and records it in the pod directory.
     *
     * @return its path, e.g. {@code /run/netns/bosun-1a2b3c4d}
     * @throws org.bosun.api.BosunException ALREADY_EXISTS when the pod has one already; UNAVAILABLE
     *         when it cannot be created
     */
    Path create(Path podDir, String podUuid);

    /** The pod's recorded network namespace, if it has one. */
    Optional<Path> find(Path podDir);

    /** Removes the pod's network namespace and its record; does nothing when there is none. */
    void delete(Path podDir);
}
