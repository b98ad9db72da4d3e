package org.bosun.cli.image;

import java.nio.file.Path;
import java.util.concurrent.Callable;

import org.bosun.api.image.ImageStore;
import org.bosun.cli.HelpOption;
import org.bosun.cli.Session;

import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * extract and render: the image's root filesystem (and its manifest) in a new directory, written by
 * the store ({@code ImageStore.writeDirectory}) and rendered by the image's format.
 */
abstract class ImageDirectoryCommand implements Callable<Integer> {
    @picocli.CommandLine.Mixin
    HelpOption help;

    @Option(names = "--rootfs-only", description = "write only the root filesystem into DIR, no manifest")
    boolean rootfsOnly;

    @Option(names = "--overwrite", description = "replace DIR if it exists")
    boolean overwrite;

    @Parameters(index = "0", paramLabel = "ID", description = "an image id, unique id prefix or name")
    String id;

    @Parameters(index = "1", paramLabel = "DIR", description = "a directory that does not exist yet")
    String dir;

    private final Session session;
    private final boolean fromTree;

    /** @param fromTree copy the store's rendered tree (render) rather than render the blobs anew (extract) */
    ImageDirectoryCommand(Session session, boolean fromTree) {
        this.session = session;
        this.fromTree = fromTree;
    }

    @Override
    public Integer call() {
        Path target = session.resolve(dir);
        ImageServices services = new ImageServices(session);
        services.withStore(store -> {
            store.writeDirectory(session.paths(), ImageServices.find(store, session, id), target,
                    new ImageStore.DirectoryOptions(fromTree, rootfsOnly, overwrite),
                    (image, into) -> services.withFormatOf(image, format -> {
                        format.render(image, store, session.paths(), into);
                        return null;
                    }));
            return null;
        });
        return 0;
    }
}
