package org.bosun.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.codegen.docgen.manpage.ManPageGenerator;

/**
 * Writes bosun's bash completion and man pages from the command model itself, so they name every
 * command, subcommand and flag the code has. The build runs it (cli's pom, phase
 * process-test-classes) into {@code target/docs}, and the launcher ships what it wrote:
 * {@code bash-completion/bosun} (picocli's AutoComplete) and {@code man1/bosun*.1} (picocli's
 * ManPageGenerator writes AsciiDoc, which asciidoctor turns into man pages). It is a build tool,
 * kept out of the bundle.
 */
public final class CommandDocs {
    private CommandDocs() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: CommandDocs OUTPUT-DIRECTORY");
        }
        write(Path.of(args[0]));
    }

    /** Writes {@code out/bash-completion/bosun} and {@code out/man1/*.1}. */
    static void write(Path out) throws IOException, InterruptedException {
        CommandLine cli = RootCommand.commandLine(Sessions.in("/"));
        Path completion = out.resolve("bash-completion/bosun");
        Files.createDirectories(completion.getParent());
        Files.writeString(completion, AutoComplete.bash("bosun", cli), StandardCharsets.UTF_8);

        Path adoc = out.resolve("adoc");
        Path man = out.resolve("man1");
        Files.createDirectories(adoc);
        Files.createDirectories(man);
        int status = ManPageGenerator.generateManPage(adoc.toFile(), null, new boolean[0], true, cli.getCommandSpec());
        if (status != 0) {
            throw new IllegalStateException("picocli's ManPageGenerator failed with status " + status);
        }
        List<String> command = new ArrayList<>(List.of("asciidoctor", "--backend", "manpage", "--destination-dir",
                man.toString()));
        try (Stream<Path> pages = Files.list(adoc)) {
            pages.filter(p -> p.toString().endsWith(".adoc")).sorted().forEach(p -> command.add(p.toString()));
        }
        Process process;
        try {
            process = new ProcessBuilder(command).inheritIO().start();
        } catch (IOException e) {
            throw new IllegalStateException("asciidoctor makes bosun's man pages and is not installed: install the"
                    + " Debian package asciidoctor (scripts/install does)", e);
        }
        if (process.waitFor() != 0) {
            throw new IllegalStateException("asciidoctor failed with status " + process.exitValue() + ": " + command);
        }
    }
}
