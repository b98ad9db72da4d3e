/**
 * The command protocol: what the thin {@code bosun} launcher hands the platform and what it gets
 * back. The same {@link org.bosun.command.protocol.CommandService} serves an in-process framework
 * (the launcher calls it directly) and the agent (it is called over the agent's unix socket with
 * {@link org.bosun.command.protocol.Wire}), which is why both paths behave the same.
 * <p>
 * In an embedded framework this package comes from the launcher's class path through the system
 * bundle; elsewhere (tests, the agent) from this bundle.
 */
@Version("1.2.0")
@Export
package org.bosun.command.protocol;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
