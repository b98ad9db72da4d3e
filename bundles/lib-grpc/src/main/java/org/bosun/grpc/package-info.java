/**
 * What bosun's gRPC services share: {@link org.bosun.grpc.GrpcErrors}, bosun's errors as gRPC statuses.
 */
@Version("1.0.0")
@Export
package org.bosun.grpc;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
