/**
 * A seccomp compiler: turns an OCI runtime-spec {@code linux.seccomp} section into the classic BPF
 * program that libseccomp 2.5 would build for crun on an x86_64 host, so crun can skip libseccomp
 * (annotation {@code run.oci.seccomp_bpf_data}); and the system call tables of x86_64, i386 and x32.
 */
@Version("1.0.0")
@Export
package org.bosun.seccomp.bpf;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
