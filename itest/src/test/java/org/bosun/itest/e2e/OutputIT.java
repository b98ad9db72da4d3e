package org.bosun.itest.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

import org.junit.ClassRule;
import org.junit.Test;

/**
 * DESIGN.md §1: without an agent bosun is slower, never different; and every command explains
 * itself with {@code --help}.
 */
public class OutputIT extends E2eCase {
    @ClassRule
    public static final BosunFixture FIXTURE = new BosunFixture();

    /** Every command of {@code bosun --help}, and the agent. */
    static final List<String> COMMANDS = List.of("help", "version", "list", "status", "prepare", "run-prepared", "run",
            "stop", "rm", "gc", "cat-manifest", "config", "trust", "agent");

    public OutputIT(Mode mode) {
        super(FIXTURE, mode);
    }

    /**
     * The same command on the same data directory gives the same bytes, exit code included, whether
     * the agent or the launcher's own platform runs it. The pods are made in this test's mode.
     */
    @Test
    public void bothModesGiveTheSameOutput() throws Exception {
        Path uuidFile = work.resolve("exited.uuid");
        assertExit(0, bosun("run", INSECURE, FLY, "--uuid-file-save=" + uuidFile, aci(), "--", "-c", "exit 0"));
        String exited = Files.readString(uuidFile).trim();
        BosunResult prepare = bosun("prepare", INSECURE, FLY, aci());
        assertExit(0, prepare);
        String prepared = uuidIn(prepare);

        List<List<String>> commands = List.of(
                List.of("list", "--format=json"),
                List.of("list", "--format=json-pretty"),
                List.of("list", "--full"),
                List.of("status", exited),
                List.of("status", "--format=json", prepared.substring(0, 8)),
                List.of("status", "--wait=1s", exited),
                List.of("cat-manifest", exited),
                List.of("cat-manifest", "--pretty-print=false", "--uuid-file=" + uuidFile),
                List.of("config"),
                List.of("run", "--help"),
                List.of("--help"),
                // errors
                List.of("frobnicate"),
                List.of("list", "--frobnicate"),
                List.of("status", "0123abcd"),
                List.of("run", INSECURE, FLY, "./missing.aci"),
                List.of("run", FLY, aci()),
                List.of("run-prepared", exited),
                List.of("stop", prepared),
                List.of("rm", "not-a-uuid"),
                List.of("gc", "--grace-period=soon"),
                List.of("version"));

        List<Callable<BosunResult[]>> calls = new ArrayList<>();
        for (List<String> args : commands) {
            String[] a = args.toArray(new String[0]);
            calls.add(() -> new BosunResult[] {bosunIn(Mode.IN_PROCESS, a), bosunIn(Mode.AGENT, a)});
        }
        List<BosunResult[]> results = parallel(calls);

        List<String> differences = new ArrayList<>();
        for (int i = 0; i < commands.size(); i++) {
            BosunResult in = results.get(i)[0];
            BosunResult agent = results.get(i)[1];
            boolean version = commands.get(i).equals(List.of("version"));
            String inOut = version ? withoutFeaturesLine(in.stdout) : in.stdout;
            String agentOut = version ? withoutFeaturesLine(agent.stdout) : agent.stdout;
            if (in.exitCode != agent.exitCode || !inOut.equals(agentOut) || !in.stderr.equals(agent.stderr)) {
                differences.add("`bosun " + String.join(" ", commands.get(i)) + "` differs:\n" + in.describe() + agent.describe());
            }
        }
        // The pods are untouched by all this: the refused commands changed nothing.
        assertEquals(List.of("exited", "prepared"), states(list()));
        if (!differences.isEmpty()) {
            fail(differences.size() + " of " + commands.size() + " commands give different output with and without "
                    + "the agent:\n\n" + String.join("\n", differences));
        }
    }

    @Test
    public void helpForEveryCommand() throws Exception {
        List<List<String>> invocations = new ArrayList<>();
        invocations.add(List.of("help"));
        invocations.add(List.of("--help"));
        for (String command : COMMANDS) {
            invocations.add(List.of(command, "--help"));
        }
        invocations.add(List.of("help", "run"));

        // As a user asks for help: no --dir.
        List<Callable<BosunResult>> calls = new ArrayList<>();
        for (List<String> args : invocations) {
            List<String> command = new ArrayList<>();
            command.add(fixture.bin.toString());
            command.addAll(args);
            calls.add(() -> call(mode, work, null, command));
        }
        List<BosunResult> results = parallel(calls);

        List<String> failures = new ArrayList<>();
        for (int i = 0; i < invocations.size(); i++) {
            List<String> args = invocations.get(i);
            BosunResult r = results.get(i);
            // The command whose usage is asked for; null for the root command.
            String command = args.equals(List.of("help")) || args.equals(List.of("--help")) ? null
                    : args.get(0).equals("help") && !args.get(1).startsWith("-") ? args.get(1) : args.get(0);
            List<String> problems = new ArrayList<>();
            if (r.exitCode != 0) {
                problems.add("exit code " + r.exitCode);
            }
            if (!r.stderr.isEmpty()) {
                problems.add("output on stderr");
            }
            String usage = "Usage: bosun " + (command == null ? "" : command + " ");
            if (!r.stdout.startsWith(usage) && !r.stdout.contains("\n" + usage)) {
                problems.add("no line starts with '" + usage + "'");
            }
            if (command == null) {
                List<String> missing = COMMANDS.stream()
                        .filter(c -> !c.equals("agent") && !r.stdout.contains("\n  " + c + " "))
                        .collect(Collectors.toList());
                if (!missing.isEmpty()) {
                    problems.add("the command list lacks " + missing);
                }
            }
            if (!problems.isEmpty()) {
                failures.add("bosun " + String.join(" ", args) + ": " + String.join(", ", problems) + "\n" + r.describe());
            }
        }
        if (!failures.isEmpty()) {
            fail(failures.size() + " of " + invocations.size() + " help requests failed:\n\n" + String.join("\n", failures));
        }
    }

    /**
     * issue 12 item 10: a second agent on a socket another agent serves says so in one line and
     * exits 3 at once (it printed SCR's stack trace and kept running, serving nothing); the first
     * agent keeps serving.
     */
    @Test
    public void aSecondAgentOnABusySocketSaysSoInOneLine() throws Exception {
        List<String> command = List.of(fixture.bin.toString(), "agent", "--socket=" + fixture.socket);
        BosunResult second = call(Mode.IN_PROCESS, work, null, command);
        assertExit(3, second);
        assertOneClearLine(second);
        assertContains("names the socket", "another bosun agent already listens on " + fixture.socket, second);
        assertExit(0, bosunIn(Mode.AGENT, "list"));
    }

    /** issue 12 item 10: fly keeps no output of its app; logs says so instead of printing nothing. */
    @Test
    public void logsOfAFlyPodSayWhyThereAreNone() throws Exception {
        Path uuidFile = work.resolve("fly.uuid");
        assertExit(0, bosun("run", INSECURE, FLY, "--uuid-file-save=" + uuidFile, aci(), "--", "-c", "echo out"));
        BosunResult logs = bosun("logs", Files.readString(uuidFile).trim());
        assertExit(2, logs);
        assertOneClearLine(logs);
        assertContains("says why", "has no output kept: its engine 'fly' does not supervise its app", logs);
        assertEquals(logs.describe(), "", logs.stdout);
    }

    private static String withoutFeaturesLine(String versionOutput) {
        return BosunResult.lines(versionOutput).stream().filter(l -> !l.startsWith("Features: "))
                .collect(Collectors.joining("\n", "", "\n"));
    }
}
