package org.bosun.cli;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.bosun.host.files.FileTree;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/** The generated bash completion and man pages, used as bash and man use them. */
public class CommandDocsTest {
    private static Path docs;

    @BeforeClass
    public static void generate() throws Exception {
        docs = Files.createTempDirectory("bosun-command-docs-");
        CommandDocs.write(docs);
    }

    @AfterClass
    public static void remove() {
        FileTree.deleteQuietly(docs);
    }

    @Test
    public void completionOffersASubcommand() throws Exception {
        assertTrue(complete("bosun", "run-pre").contains("run-prepared"));
        assertTrue(complete("bosun", "image", "l").contains("list"));
    }

    @Test
    public void completionOffersAFlag() throws Exception {
        assertEquals(List.of("--mark-only"), complete("bosun", "gc", "--mark"));
        assertTrue(complete("bosun", "run-prepared", "--ne").contains("--net"));
    }

    @Test
    public void everyCommandHasAManPageThatRendersWithEveryFlag() throws Exception {
        List<CommandSpec> commands = new ArrayList<>();
        collect(RootCommand.commandLine(Sessions.in("/")).getCommandSpec(), commands);
        for (CommandSpec command : commands) {
            String page = command.qualifiedName("-");
            String text = man(docs.resolve("man1").resolve(page + ".1"));
            assertTrue(page + " renders with its name:\n" + text, text.contains(page.toUpperCase() + "(1)"));
            for (OptionSpec option : command.options()) {
                if (!option.hidden()) {
                    String name = option.negatable() ? "--[no-]" + option.longestName().substring(2) : option.longestName();
                    assertTrue(page + " names " + name + ":\n" + text, text.contains(name));
                }
            }
        }
    }

    private static void collect(CommandSpec spec, List<CommandSpec> into) {
        into.add(spec);
        for (CommandLine sub : spec.subcommands().values()) {
            if (!into.contains(sub.getCommandSpec())) {
                collect(sub.getCommandSpec(), into);
            }
        }
    }

    /** What bash's completion of the last word offers, the script sourced as bash-completion does. */
    private static List<String> complete(String... words) throws Exception {
        String script = "source \"$1\"; shift; COMP_WORDS=(\"$@\"); COMP_CWORD=$(( $# - 1 )); COMP_LINE=\"$*\";"
                + " COMP_POINT=${#COMP_LINE}; _complete_bosun 2>/dev/null; printf '%s\\n' \"${COMPREPLY[@]}\"";
        List<String> command = new ArrayList<>(List.of("bash", "-c", script, "bash",
                docs.resolve("bash-completion/bosun").toString()));
        command.addAll(List.of(words));
        return run(command, null).lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
    }

    private static String man(Path page) throws Exception {
        assertTrue(page + " exists", Files.isRegularFile(page));
        return run(List.of("man", "-l", page.toString()), "MANWIDTH");
    }

    private static String run(List<String> command, String widthVariable) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(false)
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("MANPAGER", "cat");
        pb.environment().put("PAGER", "cat");
        pb.environment().put("LC_ALL", "C");
        if (widthVariable != null) {
            pb.environment().put(widthVariable, "200");
        }
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(command + " finished", p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(command + " exit code; output:\n" + out, 0, p.exitValue());
        return out;
    }
}
