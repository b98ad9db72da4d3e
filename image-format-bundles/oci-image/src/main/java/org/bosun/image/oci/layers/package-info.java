/**
 * OCI and Docker images in bosun's store and on disk: the store record of an image (manifest
 * digest as id, config then layers as blobs), its blobs staged and their layers checked as they
 * are fetched, and the renderer that applies its tar layers, with whiteouts, to a tree as
 * untrusted input (both through {@link org.bosun.host.archive}).
 */
@Version("1.1.0")
@Export
package org.bosun.image.oci.layers;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
