package org.bosun.cli.image;

import java.nio.file.Path;
import java.util.concurrent.Callable;

import org.bosun.cli.HelpOption;
import org.bosun.cli.Session;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code bosun image export}: the image's one archive to a file (see {@code ImageStore.export}). */
@Command(name = "export", description = "Write an image's archive (an appc image: its ACI, uncompressed) to FILE.")
final class ImageExportCommand implements Callable<Integer> {
    @picocli.CommandLine.Mixin
    HelpOption help;

    @Option(names = "--overwrite", description = "replace FILE if it exists")
    boolean overwrite;

    @Parameters(index = "0", paramLabel = "ID", description = "an image id, unique id prefix or name")
    String id;

    @Parameters(index = "1", paramLabel = "FILE", description = "where to write it")
    String file;

    private final Session session;

    ImageExportCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() {
        Path target = session.resolve(file);
        new ImageServices(session).withStore(store -> {
            store.export(session.paths(), ImageServices.find(store, session, id), target, overwrite);
            return null;
        });
        return 0;
    }
}
