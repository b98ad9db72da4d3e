#!/bin/sh
# Regenerates the syscall tables of this bundle from the Linux UAPI headers installed by Debian's
# linux-libc-dev (asm/unistd_64.h, unistd_32.h, unistd_x32.h). Run it after a linux-libc-dev
# upgrade and commit the result: bundles/seccomp-bpf/tables.sh
set -eu
headers=${HEADERS:-/usr/include/x86_64-linux-gnu/asm}
out=$(dirname "$0")/src/main/resources/org/bosun/seccomp/bpf
version=$(dpkg-query -W -f='${Version}' linux-libc-dev 2>/dev/null || echo unknown)

# table ARCH HEADER: "NAME NUMBER" per line, in number order. x32 numbers are written without
# the x32 bit (0x40000000) that the kernel expects in seccomp_data.nr; the compiler adds it.
table() {
  {
    printf '# %s system call numbers from asm/%s (linux-libc-dev %s), made by tables.sh: NAME NUMBER\n' \
      "$1" "$(basename "$2")" "$version"
    sed -n -E 's/^#define __NR_([a-z0-9_]+)[[:space:]]+(\(__X32_SYSCALL_BIT \+ )?([0-9]+)\)?$/\1 \3/p' "$2" |
      sort -k2,2n
  } > "$out/syscalls-$1.txt"
  [ "$(grep -vc '^#' "$out/syscalls-$1.txt")" -gt 300 ] || { echo "tables.sh: $2 gave too few system calls" >&2; exit 1; }
}

table x86_64 "$headers/unistd_64.h"
table i386 "$headers/unistd_32.h"
table x32 "$headers/unistd_x32.h"
