# bosun nspawn engine: the last step of bosun enter, run in every namespace of the app but its mount
# namespace, as root. It joins that mount namespace and the app's root and working directory, then
# gives itself the app's credentials, capabilities, no_new_privs, SELinux label and seccomp filters,
# in the order that lets each step still do what it needs, and becomes the command. One process
# does it all: in the app's mount namespace no host tool is left to do the rest.
# Arguments: the app's pid (as the host sees it); uid; gid; supplementary gids (comma-separated);
# the bounding, inheritable and ambient capability sets (hex); no_new_privs (0 or 1); the SELinux
# label (empty for none); this architecture's numbers of setns, prctl, capget, capset, setgroups,
# setresgid, setresuid and seccomp (comma-separated); each seccomp filter, oldest first, as
# FLAGS:HEX; "--"; the command.
use strict;
my ($pid, $uid, $gid, $groups, $bnd, $inh, $amb, $nnp, $label, $numbers) = splice(@ARGV, 0, 10);
my @filters;
push @filters, shift @ARGV while @ARGV && $ARGV[0] ne '--';
shift @ARGV;
my %nr;
@nr{qw(setns prctl capget capset setgroups setresgid setresuid seccomp)} = map { $_ + 0 } split(/,/, $numbers);
my ($CLONE_NEWNS, $PR_CAPBSET_DROP, $PR_SET_KEEPCAPS, $PR_SET_NO_NEW_PRIVS, $PR_CAP_AMBIENT, $PR_CAP_AMBIENT_RAISE)
    = (0x00020000, 24, 8, 38, 47, 2);
my $CAP_VERSION_3 = 0x20080522;
my $SECCOMP_SET_MODE_FILTER = 1;

sub fail { print STDERR "bosun enter: cannot $_[0]: $!\n"; exit 125; }
sub call { my ($what, $number, @args) = @_; syscall($number, @args) == 0 or fail($what); }
sub bits { my $hex = shift; my @set; my $n = 0; for my $d (reverse split //, $hex) { for my $b (0 .. 3) { push @set, $n if hex($d) >> $b & 1; $n++; } } return @set; }
sub halves { my %on = map { $_ => 1 } bits(shift); my ($lo, $hi) = (0, 0); for my $c (keys %on) { if ($c < 32) { $lo |= 1 << $c; } else { $hi |= 1 << ($c - 32); } } return ($lo, $hi); }

open(my $lastcap, '<', '/proc/sys/kernel/cap_last_cap') or fail("read /proc/sys/kernel/cap_last_cap");
my $last = <$lastcap> + 0;
close($lastcap);
open(my $mnt, '<', "/proc/$pid/ns/mnt") or fail("open the mount namespace of process $pid");
opendir(my $root, "/proc/$pid/root") or fail("open the root of process $pid");
opendir(my $cwd, "/proc/$pid/cwd") or fail("open the working directory of process $pid");

call("join the app's mount namespace", $nr{setns}, fileno($mnt), $CLONE_NEWNS);
chdir($root) or fail("change to the app's root");
chroot('.') or fail("change root to the app's");
chdir($cwd) or fail("change to the app's working directory");

# inheritable first: capset accepts only what the bounding set still holds
my $header = pack('LL', $CAP_VERSION_3, 0);
my $data = "\0" x 24;
# not through call(), whose copy of $data the kernel would fill
syscall($nr{capget}, $header, $data) == 0 or fail("read its capabilities");
my ($e0, $p0, undef, $e1, $p1, undef) = unpack('L6', $data);
my ($i0, $i1) = halves($inh);
call("set the app's inheritable capabilities", $nr{capset}, $header, pack('L6', $e0, $p0, $i0, $e1, $p1, $i1));
my %bounding = map { $_ => 1 } bits($bnd);
for my $cap (0 .. $last) {
    call("drop capability $cap from the bounding set", $nr{prctl}, $PR_CAPBSET_DROP, $cap, 0, 0, 0) unless $bounding{$cap};
}
my @ambient = bits($amb);
# ambient capabilities need the permitted set kept across the change of user
call("keep capabilities", $nr{prctl}, $PR_SET_KEEPCAPS, 1, 0, 0, 0) if @ambient;
my @gids = map { $_ + 0 } grep { length } split(/,/, $groups);
call("set the app's groups", $nr{setgroups}, scalar(@gids), @gids ? pack('L*', @gids) : 0);
call("set the app's group", $nr{setresgid}, $gid + 0, $gid + 0, $gid + 0);
call("set the app's user", $nr{setresuid}, $uid + 0, $uid + 0, $uid + 0);
for my $cap (@ambient) {
    call("raise ambient capability $cap", $nr{prctl}, $PR_CAP_AMBIENT, $PR_CAP_AMBIENT_RAISE, $cap, 0, 0);
}
call("stop keeping capabilities", $nr{prctl}, $PR_SET_KEEPCAPS, 0, 0, 0, 0) if @ambient;
call("set no_new_privs", $nr{prctl}, $PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) if $nnp;
if (length $label) {
    open(my $exec, '>', '/proc/thread-self/attr/exec') or fail("set the SELinux label $label");
    print $exec $label or fail("set the SELinux label $label");
    close($exec) or fail("set the SELinux label $label");
}
# last: a filter may refuse any of the calls above
for my $filter (@filters) {
    my ($flags, $hex) = split(/:/, $filter);
    my $program = pack('H*', $hex);
    call("install the app's seccomp filter", $nr{seccomp}, $SECCOMP_SET_MODE_FILTER, $flags + 0,
        pack('S x6 P', length($program) / 8, $program));
}
exec { $ARGV[0] } @ARGV;
print STDERR "bosun enter: cannot execute $ARGV[0]: $!\n";
exit(-e $ARGV[0] ? 126 : 127);
