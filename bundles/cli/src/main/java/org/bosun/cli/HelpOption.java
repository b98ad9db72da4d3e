package org.bosun.cli;

import picocli.CommandLine.Option;

/** {@code -h, --help} for every command. */
public final class HelpOption {
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help")
    boolean help;
}
