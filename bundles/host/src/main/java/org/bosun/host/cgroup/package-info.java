/**
 * A pod's cgroups on the host, whatever engine made them: the walk of a cgroup and its
 * descendants, the kill of every process in them, their removal ({@link org.bosun.host.cgroup.CgroupTree}),
 * and where a process's cgroups are ({@link org.bosun.host.cgroup.ProcessCgroupFiles}).
 */
@Version("1.1.0")
@Export
package org.bosun.host.cgroup;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
