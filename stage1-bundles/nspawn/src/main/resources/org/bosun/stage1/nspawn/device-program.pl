# bosun nspawn engine: loads the pod's device program (BPF_PROG_TYPE_CGROUP_DEVICE; its
# instructions in hex, one line on standard input) and attaches it to the cgroup2 directory
# $ARGV[1] with no flag, so that no program can be attached below it (no replacement, no
# addition: BPF_F_ALLOW_OVERRIDE and BPF_F_ALLOW_MULTI are not given). $ARGV[0] is this
# architecture's number of bpf(2). Exits 125 with one line on failure.
use strict;
my ($bpf, $cgroup) = ($ARGV[0] + 0, $ARGV[1]);
my ($PROG_LOAD, $PROG_ATTACH, $TYPE_CGROUP_DEVICE, $ATTACH_CGROUP_DEVICE) = (5, 8, 15, 6);
sub fail {
    print STDERR "bosun: cannot $_[0]: $!; the nspawn engine restricts a pod's devices with an eBPF program "
        . "on its cgroup2 cgroup, which needs Linux 4.15 or later and CAP_SYS_ADMIN (or CAP_BPF)\n";
    exit 125;
}
my $hex = <STDIN>;
defined $hex or fail("read the pod's device program");
chomp $hex;
my $insns = pack('H*', $hex);
my $license = "GPL\0";
my $name = "bosun_devices";
my $log = "\0" x 65536;
sub load {
    my ($level) = @_;
    my $attr = pack('LLQQLLQLLa16', $TYPE_CGROUP_DEVICE, length($insns) / 8, unpack('Q', pack('p', $insns)),
        unpack('Q', pack('p', $license)), $level, $level ? length($log) : 0, $level ? unpack('Q', pack('p', $log)) : 0,
        0, 0, $name);
    return syscall($bpf, $PROG_LOAD, $attr, length($attr));
}
my $prog = load(0);
if ($prog < 0) {
    # again with the verifier's log, for its last line
    my $errno = $!;
    $prog = load(1);
    if ($prog < 0) {
        my ($last) = grep { length && !/^processed \d+ insns/ } reverse split /\n/, unpack('Z*', $log);
        $! = $errno;
        fail("load the pod's device program" . ($last ? " ($last)" : ""));
    }
}
opendir(my $dir, $cgroup) or fail("open the pod's cgroup $cgroup");
my $attr = pack('LLLLL', fileno($dir), $prog, $ATTACH_CGROUP_DEVICE, 0, 0);
syscall($bpf, $PROG_ATTACH, $attr, length($attr)) == 0 or fail("attach the pod's device program to $cgroup");
