# bosun: one stream of an app's output for its CRI log (org.bosun.stage1.rules.CriLogFormat), run by
# awk reading line by line. Each line goes, whole and prefixed with PREFIX, to the file OUT, and,
# tagged with its stream STREAM (stdout or stderr) and cut into parts of at most CRI_MAX bytes, to
# the file TO_LOG, the log writer's pipe: "STREAM P part" ... "STREAM F last part", each part with
# its newline one write(2) of at most PIPE_BUF (4096) bytes, which two writers of one pipe never
# interleave. The values come from the environment.
BEGIN { p = ENVIRON["PREFIX"]; s = ENVIRON["STREAM"]; out = ENVIRON["OUT"]; to = ENVIRON["TO_LOG"]; max = ENVIRON["CRI_MAX"] + 0 }
{
    printf "%s", p $0 "\n" > out; fflush(out)
    n = length($0); i = 1
    while (n - i + 1 > max) { printf "%s", s " P " substr($0, i, max) "\n" > to; fflush(to); i += max }
    printf "%s", s " F " substr($0, i) "\n" > to; fflush(to)
}
