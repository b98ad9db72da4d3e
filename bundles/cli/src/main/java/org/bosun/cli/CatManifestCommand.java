package org.bosun.cli;

import java.util.List;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "cat-manifest", description = "Print a pod's manifest (appc pod manifest JSON).")
final class CatManifestCommand implements Callable<Integer> {
    @picocli.CommandLine.Mixin
    HelpOption help;

    @Parameters(paramLabel = "UUID", arity = "0..1", description = "the pod")
    List<String> uuid;

    @Option(names = "--uuid-file", paramLabel = "FILE", description = "read the pod's UUID from FILE")
    String uuidFile;

    @Option(names = "--pretty-print", negatable = true, defaultValue = "true", fallbackValue = "true", arity = "0..1",
            paramLabel = "true|false", description = "indent the JSON (default true; --pretty-print=false: one line)")
    boolean pretty;

    private final Session session;

    CatManifestCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() throws Exception {
        String json = session.pods().manifest(session.paths(), NamedPods.one(session, uuid, uuidFile));
        Object tree = PodJson.JSON.readTree(json);
        session.out.println(PodJson.write(tree, pretty ? "json-pretty" : "json"));
        return 0;
    }
}
