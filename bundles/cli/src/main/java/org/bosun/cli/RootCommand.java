package org.bosun.cli;

import java.util.concurrent.Callable;

import org.bosun.api.ErrorKind;
import org.bosun.cli.image.ImageCommand;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

/** {@code bosun}: the root of the command tree. */
@Command(name = "bosun", mixinStandardHelpOptions = false,
        description = "A pod-native container runtime: pods of apps from appc, Docker and OCI images, run by swappable stage1 engines.",
        subcommands = {CommandLine.HelpCommand.class, VersionCommand.class, ListCommand.class, StatusCommand.class,
                PrepareCommand.class, RunPreparedCommand.class, RunCommand.class, StopCommand.class, RmCommand.class,
                GcCommand.class, ExportCommand.class, CatManifestCommand.class, ConfigCommand.class, EnterCommand.class,
                AgentCommand.class, MetadataServiceCommand.class, ApiServiceCommand.class,
                TrustCommand.class, FetchCommand.class, ImageCommand.class, LogsCommand.class, TpmCommand.class,
                AppCommand.class, AttachCommand.class, EventsCommand.class, BundleCommand.class, ShellCommand.class},
        footer = {"", "Run 'bosun COMMAND --help' for a command's flags. 'bosun agent' keeps the platform"
                + " running to make commands faster; no daemon is ever required.", "",
                PrivilegedCommands.HELP,
                "", "Exit codes: 0 success, 1 internal error, 2 not found, 3 already exists, 4 invalid argument,"
                        + " 5 wrong state, 6 unavailable, 7 permission denied, 8 not implemented, 9 deadline exceeded,"
                        + " 10 resource exhausted, 11 cancelled; run and run-prepared exit with the app's code, or 125 when"
                        + " bosun fails before the app starts (rkt: 254 for every error)."})
final class RootCommand implements Callable<Integer> {
    /** Exit code of run and run-prepared when bosun fails before the app starts (as podman's 125). */
    static final int LAUNCH_FAILURE = 125;

    @Mixin
    GlobalOptions global;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help")
    boolean help;

    private final Session session;

    RootCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(session.out);
        return 0;
    }

    static CommandLine commandLine(Session session) {
        CommandLine.IFactory factory = new CommandLine.IFactory() {
            @Override
            public <K> K create(Class<K> type) throws Exception {
                try {
                    var constructor = type.getDeclaredConstructor(Session.class);
                    constructor.setAccessible(true);
                    return constructor.newInstance(session);
                } catch (NoSuchMethodException e) {
                    return CommandLine.defaultFactory().create(type);
                }
            }
        };
        RootCommand root = new RootCommand(session);
        CommandLine cli = new CommandLine(root, factory);
        root.global.bind(session);
        session.global = root.global;
        cli.setOut(new java.io.PrintWriter(session.out, true));
        cli.setErr(new java.io.PrintWriter(session.err, true));
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        // "image" is a command and a value of --insecure-options: --insecure-options=image must stay a value.
        cli.setAllowSubcommandsAsOptionParameters(true);
        cli.getSubcommands().get("run").setStopAtPositional(true);
        cli.getSubcommands().get("prepare").setStopAtPositional(true);
        cli.getSubcommands().get("enter").setStopAtPositional(true);
        // app add UUID IMAGE --name=...: the app's flags are words after its image, as in run
        cli.getSubcommands().get("app").getSubcommands().get("add").setStopAtPositional(true);
        cli.setParameterExceptionHandler((ex, args) -> {
            String name = ex.getCommandLine().getCommandName();
            String where = ex.getCommandLine().getCommandSpec().qualifiedName(" ");
            String message = ex.getMessage();
            if (ex instanceof CommandLine.UnmatchedArgumentException unmatched && !unmatched.getUnmatched().isEmpty()) {
                String word = unmatched.getUnmatched().get(0);
                message = (word.startsWith("-") ? "unknown option '" : name.equals("bosun") ? "unknown command '"
                        : "unexpected argument '") + word + "'";
                String flag = word.contains("=") ? word.substring(0, word.indexOf('=')) : word;
                if ((name.equals("run") || name.equals("prepare")) && AppArgumentGroups.FLAGS.contains(flag)
                        && ex.getCommandLine().getCommandSpec().findOption(flag) == null) {
                    message = flag + " is an app flag: put it after the image it applies to";
                }
            }
            message = message.replaceAll("[.\\s]+$", "");
            session.err.println(where + ": " + message + "; see '" + where + " --help'");
            return name.equals("run") || name.equals("run-prepared") || name.equals("enter") ? LAUNCH_FAILURE
                    : ErrorKind.INVALID_ARGUMENT.exitCode();
        });
        cli.setExecutionStrategy(parsed -> {
            try {
                PrivilegedCommands.check(parsed, session.invocation.uid());
            } catch (org.bosun.api.BosunException e) {
                return CliCommandService.report(session, commandPath(parsed.asCommandLineList()
                        .get(parsed.asCommandLineList().size() - 1)), e);
            }
            return new CommandLine.RunLast().execute(parsed);
        });
        cli.setExecutionExceptionHandler((ex, commandLine, parseResult) ->
                CliCommandService.report(session, commandPath(commandLine), ex));
        return cli;
    }

    /** The command as the user typed it after {@code bosun}: {@code image list}, not {@code list}; "" for bosun itself. */
    static String commandPath(CommandLine command) {
        String qualified = command.getCommandSpec().qualifiedName(" ");
        return qualified.equals("bosun") ? "" : qualified.substring("bosun ".length());
    }
}
