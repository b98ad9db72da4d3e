/**
 * The OCI and Docker image model that the oci and docker image formats share: the manifest, index
 * and image-config documents read as untrusted input with their media types and size limits,
 * content digests, Docker references, platform selection and the mapping of an image config to
 * bosun's {@link org.bosun.api.image.ImageManifest}.
 * <p>
 * A library of its own, so that updating either format bundle does not refresh the other.
 */
@Version("1.0.0")
@Export
package org.bosun.image.oci.model;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
