# bosun nspawn engine: mounts what an added app needs in the mount namespace of a running pod's
# systemd: its overlay rootfs, or a volume the pod did not have when it started. Both are host paths
# that the pod cannot see, and the pod's mount namespace is private (no mount made outside reaches
# it), so the mount is made here, on the host, detached (fsopen, fsconfig, fsmount for the overlay,
# whose layers are looked up now, in the host's namespace; open_tree for a bind), and only then
# moved into the pod's namespace (setns, move_mount), where the pod's systemd finds it when it
# starts the app's unit.
# Arguments: the pid of the pod's systemd (as the host sees it); this architecture's number of
# setns; the mount point inside the pod; then "overlay LOWERDIR UPPERDIR WORKDIR" or
# "bind SOURCE RECURSIVE" (RECURSIVE 1 or 0).
use strict;
my ($pid, $setns, $target, $kind, @args) = @ARGV;
$setns += 0;
# the same on every architecture (the new mount API came after the tables were unified)
my ($OPEN_TREE, $MOVE_MOUNT, $FSOPEN, $FSCONFIG, $FSMOUNT) = (428, 429, 430, 431, 432);
my ($FSOPEN_CLOEXEC, $FSCONFIG_SET_STRING, $FSCONFIG_CMD_CREATE, $FSMOUNT_CLOEXEC) = (1, 1, 6, 1);
my ($OPEN_TREE_CLONE, $OPEN_TREE_CLOEXEC, $AT_RECURSIVE) = (1, 0x80000, 0x8000);
my ($CLONE_NEWNS, $AT_FDCWD, $MOVE_MOUNT_F_EMPTY_PATH) = (0x00020000, -100, 4);

sub fail { print STDERR "bosun: cannot mount $target in the pod: cannot $_[0]: $!\n"; exit 125; }

open(my $mnt, '<', "/proc/$pid/ns/mnt") or fail("open the mount namespace of process $pid");
# syscall(2) may write to a string argument: each is a variable of its own
my $empty = "";
my $mount;
if ($kind eq 'overlay') {
    my ($type, $lower, $upper, $work) = ("overlay", @args);
    my $fs = syscall($FSOPEN, $type, $FSOPEN_CLOEXEC);
    $fs >= 0 or fail("open an overlay file system");
    for my $option (["lowerdir", $lower], ["upperdir", $upper], ["workdir", $work]) {
        my ($key, $value) = @$option;
        syscall($FSCONFIG, $fs, $FSCONFIG_SET_STRING, $key, $value, 0) == 0 or fail("set $key");
    }
    syscall($FSCONFIG, $fs, $FSCONFIG_CMD_CREATE, 0, 0, 0) == 0 or fail("create the overlay");
    $mount = syscall($FSMOUNT, $fs, $FSMOUNT_CLOEXEC, 0);
    $mount >= 0 or fail("make a mount of the overlay");
} elsif ($kind eq 'bind') {
    my ($source, $recursive) = @args;
    $mount = syscall($OPEN_TREE, $AT_FDCWD, $source, $OPEN_TREE_CLONE | $OPEN_TREE_CLOEXEC | ($recursive ? $AT_RECURSIVE : 0));
    $mount >= 0 or fail("copy the mount of $source");
} else {
    print STDERR "bosun: unknown kind of mount '$kind'\n";
    exit 125;
}
syscall($setns, fileno($mnt), $CLONE_NEWNS) == 0 or fail("join the pod's mount namespace");
syscall($MOVE_MOUNT, $mount, $empty, $AT_FDCWD, $target, $MOVE_MOUNT_F_EMPTY_PATH) == 0 or fail("move it there");
exit 0;
