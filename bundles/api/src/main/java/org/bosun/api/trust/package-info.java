/**
 * Trusted OpenPGP keys and the verification of image signatures, as rkt did it: keys are trusted
 * for image names that start with a prefix, or for every image (root keys), and live in
 * {@code trustedkeys/root.d/<fingerprint>} and {@code trustedkeys/prefix.d/<prefix>/<fingerprint>}
 * under the system and the local configuration directories, the local one overriding.
 */
@Version("1.0.0")
@Export
package org.bosun.api.trust;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
