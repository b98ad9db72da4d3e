# bosun oci engine: attaches a clone of the host's mount tree at SOURCE (in this process's mount
# namespace) at TARGET in the mount namespace NS (a pod's supervisor's), as VolumeStaging describes.
# open_tree(2) and move_mount(2) have the same numbers on every architecture (428, 429).
import ctypes
import os
import sys

OPEN_TREE_CLONE = 1
AT_RECURSIVE = 0x8000
O_CLOEXEC = 0o2000000
AT_FDCWD = -100
MOVE_MOUNT_F_EMPTY_PATH = 4
CLONE_NEWNS = 0x00020000

libc = ctypes.CDLL(None, use_errno=True)
source, ns, target = sys.argv[1:4]


def fail(what, path):
    sys.exit("%s %s: %s" % (what, path, os.strerror(ctypes.get_errno())))


tree = libc.syscall(428, AT_FDCWD, source.encode(), OPEN_TREE_CLONE | AT_RECURSIVE | O_CLOEXEC)
if tree < 0:
    fail("open_tree", source)
nsfd = os.open(ns, os.O_RDONLY | os.O_CLOEXEC)
if libc.setns(nsfd, CLONE_NEWNS) != 0:
    fail("setns", ns)
if libc.syscall(429, tree, b"", AT_FDCWD, target.encode(), MOVE_MOUNT_F_EMPTY_PATH) != 0:
    fail("move_mount to", target)
