# bosun: the writer of an app's CRI log (org.bosun.stage1.rules.CriLogFormat), run by awk reading
# line by line the pipe its forwarders (cri-forward.awk) write into. Each tagged line is stamped
# with the time and appended to CRI_LOG, Kubernetes' format "RFC3339Nano STREAM P|F text"; its text
# alone goes to the app's log LOG, rotated at LOG_MAX bytes into LOG.1 ... LOG.LOG_KEEP (the
# rotation is a constant command; the names reach it in its environment). A line "reopen ID" (app
# lines always begin with their stream) has it close the CRI log, open the path again (after a
# kubelet renamed it) and answer with the file IO/reply-ID, "ok". The values come from the environment.
#
# The time of a line, RFC 3339 with nanoseconds in UTC: one date(1) per tick of /proc/uptime (10 ms)
# at most, the lines of one tick sharing its first line's time.
function now(   u, t) {
    u = ""
    if ((getline u < "/proc/uptime") > 0) { close("/proc/uptime"); split(u, t, " "); u = t[1] }
    if (u == "" || u != tick || stamp == "") {
        tick = u
        if ((date | getline stamp) <= 0) stamp = "1970-01-01T00:00:00Z"
        close(date)
    }
    return stamp
}
BEGIN {
    f = ENVIRON["LOG"]
    c = ENVIRON["CRI_LOG"]
    max = ENVIRON["LOG_MAX"] + 0
    date = "date -u +%Y-%m-%dT%H:%M:%S.%NZ"
    rotate = "i=$LOG_KEEP; while [ \"$i\" -gt 1 ]; do mv -f \"$LOG.$((i - 1))\" \"$LOG.$i\" 2>/dev/null; i=$((i - 1)); done; mv -f \"$LOG\" \"$LOG.1\""
}
/^reopen [0-9a-f]+$/ {
    close(c); printf "" >> c; fflush(c)
    r = ENVIRON["IO"] "/reply-" $2
    print "ok" > (r ".tmp"); close(r ".tmp")
    system("mv -f \"" r ".tmp\" \"" r "\"")
    next
}
{
    printf "%s", now() " " $0 "\n" >> c; fflush(c)
    text = substr($0, 10)
    if (substr($0, 8, 1) == "F") { printf "%s", text "\n" >> f; size += length(text) + 1 } else { printf "%s", text >> f; size += length(text) }
    fflush(f)
    if (size >= max) { close(f); system(rotate); size = 0 }
}
