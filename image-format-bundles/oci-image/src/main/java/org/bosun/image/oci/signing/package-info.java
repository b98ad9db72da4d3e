/**
 * containers' "simple signing" of OCI and Docker manifests: the signatures in lookaside stores
 * ({@code sigstore.d}) and their verification with bosun's trust store.
 */
@Version("1.0.0")
@Export
package org.bosun.image.oci.signing;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
