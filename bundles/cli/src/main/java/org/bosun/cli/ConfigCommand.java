package org.bosun.cli;

import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "config", description = "Print the effective stage0 configuration (system, then local, then flags).")
final class ConfigCommand implements Callable<Integer> {
    @picocli.CommandLine.Mixin
    HelpOption help;

    @Option(names = "--pretty-print", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "indent the JSON (default true)")
    boolean pretty;

    private final Session session;

    ConfigCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() {
        var json = session.global.configuration().toJson(session.paths().dataDir());
        session.out.println(PodJson.write(json, pretty ? "json-pretty" : "json"));
        return 0;
    }
}
