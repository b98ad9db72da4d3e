# bosun nspawn engine: mounts an added app's overlay in the mount namespace of a running pod's
# systemd. The overlay's layers are host paths that the pod cannot see, and the pod's mount
# namespace is private (no mount made outside reaches it), so the overlay is made here, on the
# host, as a detached mount (fsopen, fsconfig, fsmount: its layers are looked up now, in the
# host's namespace), and only then moved into the pod's namespace (setns, move_mount), where the
# pod's systemd finds it at the app's rootfs when it starts the app's unit.
# Arguments: the pid of the pod's systemd (as the host sees it); the overlay's lowerdir, upperdir
# and workdir options; the mount point inside the pod; this architecture's number of setns.
use strict;
my ($pid, $lower, $upper, $work, $target, $setns) = @ARGV;
$setns += 0;
# the same on every architecture (the new mount API came after the tables were unified)
my ($MOVE_MOUNT, $FSOPEN, $FSCONFIG, $FSMOUNT) = (429, 430, 431, 432);
my ($FSOPEN_CLOEXEC, $FSCONFIG_SET_STRING, $FSCONFIG_CMD_CREATE, $FSMOUNT_CLOEXEC) = (1, 1, 6, 1);
my ($CLONE_NEWNS, $AT_FDCWD, $MOVE_MOUNT_F_EMPTY_PATH) = (0x00020000, -100, 4);

sub fail { print STDERR "bosun: cannot mount the app's overlay: cannot $_[0]: $!\n"; exit 125; }

open(my $mnt, '<', "/proc/$pid/ns/mnt") or fail("open the mount namespace of process $pid");
# syscall(2) may write to a string argument: each is a copy of its own
my ($type, $empty) = ("overlay", "");
my $fs = syscall($FSOPEN, $type, $FSOPEN_CLOEXEC);
$fs >= 0 or fail("open an overlay file system");
for my $option (["lowerdir", $lower], ["upperdir", $upper], ["workdir", $work]) {
    my ($key, $value) = @$option;
    syscall($FSCONFIG, $fs, $FSCONFIG_SET_STRING, $key, $value, 0) == 0 or fail("set $key");
}
syscall($FSCONFIG, $fs, $FSCONFIG_CMD_CREATE, 0, 0, 0) == 0 or fail("create the overlay");
my $mount = syscall($FSMOUNT, $fs, $FSMOUNT_CLOEXEC, 0);
$mount >= 0 or fail("make a mount of the overlay");
syscall($setns, fileno($mnt), $CLONE_NEWNS) == 0 or fail("join the pod's mount namespace");
syscall($MOVE_MOUNT, $mount, $empty, $AT_FDCWD, $target, $MOVE_MOUNT_F_EMPTY_PATH) == 0 or fail("move it to $target");
exit 0;
