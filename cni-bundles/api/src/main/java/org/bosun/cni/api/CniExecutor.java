package org.bosun.cni.api;

import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Runs CNI plugins for network configuration lists, as libcni does.
 * <p>
 * Every attachment is cached under {@link CniContext#cacheDir()} as
 * {@code <network>-<containerId>-<ifName>.json} with the configuration and runtime values it was
 * added with, before the first plugin runs, and with the result once the chain succeeded. So
 * {@link #check} and {@link #delete} of an attachment use the configuration that created it, even
 * after the configuration files changed or the process restarted, and an interrupted {@code ADD}
 * can still be deleted.
 * <p>
 * Failures are {@link org.bosun.api.BosunException}s with a one-line message; plugin failures are
 * {@link CniPluginException}s.
 */
@ProviderType
public interface CniExecutor {

    /**
     * Reads a network configuration: a list (with {@code plugins}) or the configuration of one
     * plugin, which becomes a list of one, as libcni does for {@code .conf} files.
     *
     * @param json the configuration
     * @param source where it comes from, for error messages (a file name, "built-in")
     * @throws org.bosun.api.BosunException INVALID_ARGUMENT naming {@code source} when it is not a
     *         valid configuration
     */
    NetworkConfig parse(String json, String source);

    /** Reads a {@code .conf}, {@code .conflist} or {@code .json} file with {@link #parse}. */
    NetworkConfig load(Path file);

    /**
     * Checks, without running anything, that every plugin of the list (and its IPAM plugin) is
     * installed in one of the context's plugin directories.
     *
     * @throws org.bosun.api.BosunException UNAVAILABLE naming the missing plugin
     */
    void verify(CniContext context, NetworkConfig network);

    /**
     * Runs {@code ADD} for every plugin of the list in order, each with the previous plugin's result
     * as {@code prevResult}, and caches the final result. If a plugin fails, {@code DEL} runs for
     * every plugin of the list in reverse order, the cache entry goes, and the plugin's error is
     * thrown: nothing stays half-added unless that {@code DEL} fails too (then the cache entry stays
     * so that {@link #delete} can finish it).
     *
     * @return the final result, converted to the list's {@code cniVersion}
     */
    CniResult add(CniContext context, NetworkConfig network, CniAttachment attachment);

    /**
     * Runs {@code CHECK} for every plugin of the list in order with the cached result as
     * {@code prevResult}, using the cached configuration. Lists older than CNI 0.4.0 and lists with
     * {@code disableCheck} are not checked.
     *
     * @return the cached result
     * @throws org.bosun.api.BosunException NOT_FOUND when the attachment was never added
     */
    CniResult check(CniContext context, String network, String containerId, String ifName);

    /**
     * Runs {@code DEL} for every plugin of the list in reverse order, with the cached result as
     * {@code prevResult} (CNI 0.4.0 and later), and removes the cache entry. The cached
     * configuration and runtime values are used when the attachment is cached; the given ones
     * otherwise. Safe to call twice, and after a partial or failed {@code ADD}. If a plugin fails,
     * the cache entry stays, so the delete can be repeated.
     *
     * @param network the configuration to use when nothing is cached; its name selects the entry
     * @param attachment the attachment to use when nothing is cached; its container id and
     *        interface name select the entry
     */
    void delete(CniContext context, NetworkConfig network, CniAttachment attachment);

    /** The cache entry of one attachment, if there is one. */
    Optional<CachedAttachment> cached(CniContext context, String network, String containerId, String ifName);

    /** Every cache entry of the context's cache directory. */
    List<CachedAttachment> cached(CniContext context);

    /** Runs {@code VERSION} for a plugin. */
    VersionInfo version(CniContext context, String plugin);

    /**
     * Garbage-collects a network: deletes every cached attachment of it that is not among
     * {@code valid}, then runs {@code GC} (CNI 1.1) for each plugin of the list that supports it.
     * Plugins and lists older than CNI 1.1.0 are skipped, with a debug line saying why.
     *
     * @param valid the attachments that are still in use (container id and interface name count)
     * @return the attachments that were deleted
     */
    List<CachedAttachment> gc(CniContext context, NetworkConfig network, Collection<CniAttachment> valid);
}
