package org.bosun.cli;

import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** rkt's {@code export}: an exited pod's app as an ACI (see {@code PodService.export}). */
@Command(name = "export", description = {"Write an app of an exited pod to FILE as an ACI, as rkt's export: the app's"
        + " image manifest and its root filesystem with the app's changes. 'bosun fetch --insecure-options=image FILE'"
        + " takes it (it is not signed).",
    "Unlike rkt, an ACI with dependencies exports without them (its root filesystem holds every layer), and a Docker"
            + " or OCI image's app gets an appc manifest made from its image's."})
final class ExportCommand implements Callable<Integer> {
    @picocli.CommandLine.Mixin
    HelpOption help;

    @Option(names = "--app", paramLabel = "NAME", description = "the app to export (needed when the pod has several)")
    String app;

    @Option(names = "--overwrite", description = "replace FILE if it exists")
    boolean overwrite;

    @Parameters(index = "0", paramLabel = "UUID", description = "the pod (a unique UUID prefix will do)")
    String uuid;

    @Parameters(index = "1", paramLabel = "FILE", description = "the ACI to write")
    String file;

    private final Session session;

    ExportCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() {
        session.pods().export(session.paths(), uuid, app, session.resolve(file), overwrite);
        return 0;
    }
}
