/**
 * Pods and apps: the unit bosun prepares, runs and collects. {@link org.bosun.api.pod.PodService}
 * is the one entry point; everything it returns is plain data.
 */
@Version("1.6.0")
@Export
package org.bosun.api.pod;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
