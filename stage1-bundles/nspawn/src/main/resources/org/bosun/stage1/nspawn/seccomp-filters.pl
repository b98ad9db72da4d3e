# bosun nspawn engine: prints the seccomp filters of process $ARGV[1], oldest first, one line each:
# its flags (SECCOMP_FILTER_FLAG_*) and its BPF program in hex. $ARGV[0] is this architecture's
# number of ptrace(2). The process is stopped (PTRACE_SEIZE, PTRACE_INTERRUPT: no signal is sent)
# only while its filters are read. Needs CAP_SYS_ADMIN and no seccomp filter of its own.
use strict;
my ($ptrace, $pid) = map { $_ + 0 } @ARGV;
my ($SEIZE, $INTERRUPT, $DETACH, $GET_FILTER, $GET_METADATA) = (0x4206, 0x4207, 17, 0x420c, 0x420d);
my $WALL = 0x40000000;
sub fail { print STDERR "cannot read the seccomp filters of process $pid: $_[0]: $!\n"; exit 1; }
syscall($ptrace, $SEIZE, $pid, 0, 0) == 0 or fail("PTRACE_SEIZE");
if (syscall($ptrace, $INTERRUPT, $pid, 0, 0) != 0 || waitpid($pid, $WALL) != $pid) {
    my $why = "$!";
    syscall($ptrace, $DETACH, $pid, 0, 0);
    $! = 0;
    fail("cannot stop it ($why)");
}
my @lines;
my $error;
for (my $i = 0; ; $i++) {
    my $count = syscall($ptrace, $GET_FILTER, $pid, $i, 0);
    if ($count < 0) {
        $error = "PTRACE_SECCOMP_GET_FILTER" unless $!{ENOENT};
        last;
    }
    my $program = "\0" x ($count * 8);
    if (syscall($ptrace, $GET_FILTER, $pid, $i, $program) != $count) {
        $error = "PTRACE_SECCOMP_GET_FILTER";
        last;
    }
    my $metadata = pack('QQ', $i, 0);
    if (syscall($ptrace, $GET_METADATA, $pid, length($metadata), $metadata) < 0) {
        $error = "PTRACE_SECCOMP_GET_METADATA";
        last;
    }
    my (undef, $flags) = unpack('QQ', $metadata);
    push @lines, $flags . ' ' . unpack('H*', $program) . "\n";
}
my $errno = $!;
syscall($ptrace, $DETACH, $pid, 0, 0);
if ($error) {
    $! = $errno;
    fail($error);
}
print @lines;
