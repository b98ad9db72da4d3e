package org.bosun.launcher;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

import org.bosun.command.protocol.Invocation;
import org.bosun.command.protocol.Wire;

/**
 * {@code bosun shell}: the agent's Gogo shell, through its shell socket ({@code shell.sock} beside
 * the agent's socket). With {@code -c COMMAND} it runs one line and exits with its status; else it
 * reads lines, edited here (on a terminal: {@link LineEditor}, with history kept in
 * {@code ~/.bosun_shell_history} or {@code $BOSUN_SHELL_HISTORY}) and run there one by one.
 */
final class ShellClient {
    static final String SOCKET_NAME = "shell.sock";
    /** ErrorKind's exit codes, which the launcher does not link. */
    static final int INVALID_ARGUMENT = 4;
    static final int UNAVAILABLE = 6;
    static final int PERMISSION_DENIED = 7;
    static final String USAGE = """
            Usage: bosun shell [-c COMMAND]
            The agent's Gogo shell: the bosun commands as bosun:list, bosun:status, bosun:images, bosun:engines,
            bosun:security, bosun:providers, bosun:version, bosun:stop, bosun:rm, bosun:gc, bosun:fetch,
            bosun:prepare ... (the CLI's flags and output), and the framework's own commands (lb, ...).
            Needs a running agent ('bosun agent') and root.
              -c COMMAND   run one command line and exit with its status
              -h, --help   show this help
            """;

    private ShellClient() {
    }

    static int run(String[] args, InputStream stdin, PrintStream stdout, PrintStream stderr) throws IOException {
        String command = null;
        boolean seenShell = false;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!seenShell && arg.equals("shell")) {
                seenShell = true;
            } else if (Main.isGlobalOption(arg)) {
                if (Main.takesSeparateValue(arg)) {
                    i++;
                }
            } else if (seenShell && arg.equals("-c") && i + 1 < args.length) {
                command = args[++i];
            } else if (seenShell && arg.startsWith("--command=")) {
                command = arg.substring("--command=".length());
            } else if (seenShell && (arg.equals("-h") || arg.equals("--help"))) {
                stdout.print(USAGE);
                return 0;
            } else {
                stderr.println("bosun shell: unexpected argument '" + arg + "'; usage: bosun shell [-c COMMAND]");
                return INVALID_ARGUMENT;
            }
        }
        CallerIds ids = CallerIds.ofThisProcess();
        if (ids.uid() != 0) {
            stderr.println("bosun shell: needs root (the agent's shell is root-only); run it as root");
            return PERMISSION_DENIED;
        }
        Path agent = Main.agentSocket();
        Path socket = agent.resolveSibling(SOCKET_NAME);
        int fd = AgentClient.connect(socket);
        if (fd < 0) {
            stderr.println("bosun shell: no bosun agent serves a shell at " + socket + " (the shell runs inside the"
                    + " agent); start one with 'bosun agent' (or set BOSUN_AGENT_SOCKET to its socket)");
            return UNAVAILABLE;
        }
        try (Connection shell = new Connection(fd, ids)) {
            if (command != null) {
                return shell.run(command, stdout, stderr);
            }
            return interactive(shell, stdin, stdout, stderr);
        } catch (java.io.EOFException e) {
            stderr.println("bosun shell: the agent closed the shell (it stopped or restarted); start it with"
                    + " 'bosun agent' and run bosun shell again");
            return UNAVAILABLE;
        }
    }

    private static int interactive(Connection shell, InputStream stdin, PrintStream stdout, PrintStream stderr)
            throws IOException {
        boolean terminal = System.console() != null;
        int status = 0;
        if (!terminal) {
            BufferedReader lines = new BufferedReader(new InputStreamReader(stdin, StandardCharsets.UTF_8));
            String line;
            while ((line = lines.readLine()) != null && !isExit(line)) {
                if (!line.isBlank()) {
                    status = shell.run(line, stdout, stderr);
                }
            }
            return status;
        }
        ByteArrayOutputStream names = new ByteArrayOutputStream();
        shell.call(List.of(), names, stderr);
        Path historyFile = historyFile();
        List<String> history = readHistory(historyFile);
        LineEditor editor = new LineEditor(stdin, stdout,
                history, names.toString(StandardCharsets.UTF_8).lines().toList());
        stdout.println("bosun shell: the agent's Gogo shell. Tab completes a command; 'exit' or Ctrl-D ends.");
        String saved = stty("-g").strip();
        Thread restore = new Thread(() -> stty(saved), "bosun-shell-tty");
        Runtime.getRuntime().addShutdownHook(restore); // Ctrl-C ends the client: the terminal comes back
        try {
            stty("-icanon", "-echo", "-ixon", "min", "1", "time", "0");
            String line;
            while ((line = editor.readLine("bosun> ")) != null && !isExit(line)) {
                if (!line.isBlank()) {
                    status = shell.run(line, stdout, stderr);
                }
            }
        } finally {
            stty(saved);
            Runtime.getRuntime().removeShutdownHook(restore);
            writeHistory(historyFile, history);
        }
        return status;
    }

    private static boolean isExit(String line) {
        return line.strip().equals("exit") || line.strip().equals("quit");
    }

    /** Runs stty on the terminal (this process's standard input); its output, or "" when it failed. */
    private static String stty(String... args) {
        List<String> argv = new ArrayList<>();
        argv.add("stty");
        argv.addAll(List.of(args));
        try {
            java.lang.Process p = new ProcessBuilder(argv).redirectInput(ProcessBuilder.Redirect.INHERIT)
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return p.waitFor() == 0 ? out : "";
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    static Path historyFile() {
        String configured = System.getenv("BOSUN_SHELL_HISTORY");
        if (configured != null && !configured.isEmpty()) {
            return Path.of(configured);
        }
        return Path.of(System.getProperty("user.home"), ".bosun_shell_history");
    }

    static List<String> readHistory(Path file) {
        try {
            return new ArrayList<>(Files.readAllLines(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            return new ArrayList<>(); // none yet, or unreadable: start afresh
        }
    }

    /** Keeps the history for the next shell, readable by its owner only. */
    static void writeHistory(Path file, List<String> history) {
        try {
            if (!Files.exists(file)) {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            }
            Files.write(file, history, StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
        } catch (IOException e) {
            // a history that cannot be kept is no reason to fail the shell
        }
    }

    /** The shell socket: one exchange a line, in the agent's protocol. */
    private static final class Connection implements AutoCloseable {
        private final int fd;
        private final CallerIds ids;
        private final DataOutputStream request;
        private final DataInputStream response;

        Connection(int fd, CallerIds ids) {
            this.fd = fd;
            this.ids = ids;
            this.request = new DataOutputStream(new BufferedOutputStream(new Native.FdOutputStream(fd)));
            this.response = new DataInputStream(new BufferedInputStream(new Native.FdInputStream(fd)));
        }

        int run(String line, OutputStream stdout, OutputStream stderr) throws IOException {
            return call(List.of(line), stdout, stderr);
        }

        int call(List<String> args, OutputStream stdout, OutputStream stderr) throws IOException {
            int columns = 0;
            String cols = System.getenv("COLUMNS");
            if (cols != null && cols.matches("\\d{1,4}")) {
                columns = Integer.parseInt(cols);
            }
            Invocation invocation = new Invocation(args, System.getenv(), System.getProperty("user.dir"), ids.uid(),
                    ids.gid(), System.console() != null, columns);
            return Wire.call(request, response, invocation, stdout, stderr).exitCode();
        }

        @Override
        public void close() {
            Native.close(fd);
        }
    }
}
