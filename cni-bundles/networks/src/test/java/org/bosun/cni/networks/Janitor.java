package org.bosun.cni.networks;

import java.util.ArrayList;
import java.util.List;
import java.nio.file.Path;

import org.junit.rules.ExternalResource;

/**
 * Removes what a test set up, whether it passed or not: the pods' networks (through the provider,
 * then by force), their namespaces, bridges and NAT rules. Leases and caches live in the test's
 * temporary folder.
 */
final class Janitor extends ExternalResource {
    private final List<Runnable> detaches = new ArrayList<>();
    private final List<String> netns = new ArrayList<>();
    private final List<String> links = new ArrayList<>();
    private final List<String> ids = new ArrayList<>();

    synchronized void pod(CniNetworkProvider provider, Path podDir, String uuid) {
        detaches.add(() -> provider.detach(podDir));
        ids.add(uuid);
    }

    /** A container id attached through the executor directly: NAT rules naming it are removed. */
    synchronized void id(String containerId) {
        ids.add(containerId);
    }

    synchronized void netns(String name) {
        netns.add(name);
    }

    synchronized void link(String name) {
        links.add(name);
    }

    private boolean portmapChainsWereThere = true;

    /** The test runs portmap: its shared chains go afterwards if they were not there before and nobody uses them. */
    synchronized void portmap() throws Exception {
        portmapChainsWereThere = Host.natRules().contains(":CNI-HOSTPORT-DNAT ");
    }

    @Override
    protected synchronized void after() {
        List<Throwable> problems = new ArrayList<>();
        for (Runnable detach : detaches) {
            try {
                detach.run();
            } catch (RuntimeException e) {
                problems.add(e);
            }
        }
        for (String name : netns) {
            attempt(problems, () -> {
                if (Host.netnsExists(name)) {
                    Host.check("ip", "netns", "delete", name);
                }
            });
        }
        for (String name : links) {
            attempt(problems, () -> {
                if (Host.linkExists(name)) {
                    Host.check("ip", "link", "delete", name);
                }
            });
        }
        for (String id : ids) {
            attempt(problems, () -> Host.removeNatRulesMentioning(id));
        }
        if (!portmapChainsWereThere) {
            attempt(problems, Host::removeUnusedPortmapChains);
        }
        if (!problems.isEmpty()) {
            System.err.println("cleanup after the test: " + problems);
        }
    }

    interface Step {
        void run() throws Exception;
    }

    private static void attempt(List<Throwable> problems, Step step) {
        try {
            step.run();
        } catch (Exception e) {
            problems.add(e);
        }
    }
}
