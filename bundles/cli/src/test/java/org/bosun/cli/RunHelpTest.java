package org.bosun.cli;

import static org.junit.Assert.assertTrue;

import java.util.List;

import org.junit.Test;

import picocli.CommandLine;

/** issue 12 item 10: {@code run --help} and {@code prepare --help} name every flag they take. */
public class RunHelpTest {
    @Test
    public void runHelpNamesEveryAppFlagAndEveryVolumeKey() {
        for (String command : List.of("run", "prepare")) {
            String usage = RootCommand.commandLine(Sessions.in("/")).getSubcommands().get(command)
                    .getUsageMessage(CommandLine.Help.Ansi.OFF);
            for (String flag : AppArgumentGroups.FLAGS) {
                assertTrue(command + " --help lacks the app flag " + flag + ":\n" + usage,
                        usage.contains(flag + "=") || usage.contains(flag + "[="));
            }
            for (String key : List.of("kind=", "source=", "readOnly=", "recursive=", "mode=", "uid=", "gid=")) {
                assertTrue(command + " --help lacks the --volume key " + key + ":\n" + usage, usage.contains(key));
            }
        }
    }
}
