/**
 * Image formats and the image store. A format bundle resolves a reference, fetches and verifies
 * the image and renders it into a root filesystem; it is selected by the reference's scheme
 * ({@link org.bosun.api.image.ImageFormatService#schemes()}).
 */
@Version("1.4.0")
@Export
package org.bosun.api.image;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
