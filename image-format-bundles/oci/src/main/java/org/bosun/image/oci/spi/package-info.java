/**
 * What the OCI and Docker image formats share: the manifest, index and image-config documents
 * with their media types and size limits, platform selection, the mapping of an image config to
 * bosun's {@link org.bosun.api.image.ImageManifest}, the layer renderer (untrusted tar layers with
 * whiteouts) and containers' "simple signing" signatures looked up in lookaside stores.
 * <p>
 * Exported for the docker format bundle; not part of bosun's public API.
 */
@Version("1.0.0")
@Export
package org.bosun.image.oci.spi;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
