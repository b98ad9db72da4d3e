package org.bosun.agent;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The connections this process serves, counted from /proc: its accepted unix stream sockets
 * (connected, and named after the socket they were accepted on: a socket this process connected
 * itself has no name) and its established TCP sockets on a port it listens on. Whatever server
 * accepted them (the agent's command socket, the CRI, the streaming server, the shell, the console).
 */
final class OpenConnections {
    private static final String UNIX_CONNECTED = "03";
    private static final String TCP_ESTABLISHED = "01";
    private static final String TCP_LISTEN = "0A";

    private OpenConnections() {
    }

    static int count() {
        try {
            Set<String> inodes = socketInodes(Path.of("/proc/self/fd"));
            return unix(Files.readAllLines(Path.of("/proc/self/net/unix")), inodes)
                    + tcp(List.of(Path.of("/proc/self/net/tcp"), Path.of("/proc/self/net/tcp6")), inodes);
        } catch (IOException e) {
            return 1; // unknown: better to stay than to leave under a client
        }
    }

    static Set<String> socketInodes(Path fdDir) throws IOException {
        Set<String> inodes = new HashSet<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(fdDir)) {
            for (Path fd : fds) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        inodes.add(target.substring("socket:[".length(), target.length() - 1));
                    }
                } catch (IOException e) {
                    // closed meanwhile
                }
            }
        }
        return inodes;
    }

    /** /proc/net/unix: Num RefCount Protocol Flags Type St Inode [Path]; a stream (0001), connected, named. */
    static int unix(List<String> lines, Set<String> inodes) {
        int n = 0;
        for (String line : lines) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 8 && f[4].equals("0001") && f[5].equals(UNIX_CONNECTED) && inodes.contains(f[6])) {
                n++;
            }
        }
        return n;
    }

    static int tcp(List<Path> tables, Set<String> inodes) throws IOException {
        Set<String> listening = new HashSet<>();
        List<String[]> established = new java.util.ArrayList<>();
        for (Path table : tables) {
            if (!Files.exists(table)) {
                continue;
            }
            for (String line : Files.readAllLines(table)) {
                // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
                String[] f = line.trim().split("\\s+");
                if (f.length < 10 || !inodes.contains(f[9])) {
                    continue;
                }
                String port = f[1].substring(f[1].indexOf(':') + 1);
                if (f[3].equals(TCP_LISTEN)) {
                    listening.add(port);
                } else if (f[3].equals(TCP_ESTABLISHED)) {
                    established.add(new String[] {port});
                }
            }
        }
        int n = 0;
        for (String[] e : established) {
            if (listening.contains(e[0])) {
                n++;
            }
        }
        return n;
    }
}
