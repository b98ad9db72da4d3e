/**
 * Confined paths and the extraction of untrusted tar archives into a directory tree: the one rule
 * that the appc and the OCI/Docker image formats both apply to image content.
 *
 * <h2>The rule</h2>
 * <ol>
 * <li><b>Entry names</b> (and the names hard links point to) are relative: leading {@code ./},
 * empty and {@code .} components are dropped; an absolute name, a NUL and any {@code ..}
 * component are refused, wherever it stands ({@code a/../b} too: no tar of a real tree holds one,
 * and GNU tar refuses them as well).</li>
 * <li><b>Symbolic link targets</b> are kept as written. An absolute target is taken relative to the
 * tree's top (in the pod, and by {@link org.bosun.host.archive.ConfinedTree}). A relative target
 * must not climb above the top: neither read as written from the link's own directory (checked per
 * entry), nor followed through the links of the tree once the archive is extracted (checked by
 * {@link org.bosun.host.archive.TarExtraction#finish()}).</li>
 * <li><b>Links met on the way</b> to where an entry goes are followed inside the tree, as a chroot
 * would (containerd and securejoin do the same): an absolute target starts again at the top. Two
 * things are refused instead of being resolved: a {@code ..} that would climb above the top (only
 * reachable through links made hostile by an earlier archive, since rules 1 and 2 keep it out of
 * every single archive), and a link that an earlier entry <em>of the same archive</em> made
 * (the "symlink, then write through it" attack; an honest tar never has entries below a link it
 * holds, and GNU tar and libarchive refuse it too). Links already in the tree before the archive
 * (the layers or dependencies below) are followed. The last component is never followed: it is the
 * entry itself, which replaces what was there.</li>
 * <li>Device nodes and FIFOs are refused (the engine gives each pod its own /dev); hard links must
 * point to a regular file already in the tree.</li>
 * <li>The tree's top is a directory (an ACI's {@code rootfs} that is a link is refused), and the
 * mount points {@code dev}, {@code proc} and {@code sys} at its top are never symbolic links: the
 * engine mounts the pod's own there, and a tool that followed such a link would mount elsewhere.</li>
 * </ol>
 * Rules 1, 2 (as written), the "same archive" part of 3, 4 and 5 (for names as written) need no
 * tree: {@link org.bosun.host.archive.TarEntryCheck} applies them entry by entry to a stream, so a
 * fetch can check an archive while it passes through its digest, without a second read.
 */
@Version("1.0.0")
@Export
package org.bosun.host.archive;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
