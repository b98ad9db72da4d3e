/**
 * Errors shared by every bosun service. Each error has a {@link org.bosun.api.ErrorKind}
 * that maps one-to-one to a CLI exit code and a gRPC status code.
 */
@Version("1.1.0")
@Export
package org.bosun.api;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
