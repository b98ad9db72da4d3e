package org.bosun.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import org.bosun.api.image.FetchOptions;
import org.bosun.api.image.ImageReference;
import org.bosun.api.image.StoredImage;
import org.bosun.cli.image.ImageServices;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code bosun fetch}, as rkt's: fetches and verifies images into the store and prints their ids. */
@Command(name = "fetch", description = {"Fetch images into the store, verify them, and print their image ids.",
        "IMAGE is a file (.aci), docker://, oci:, oci-archive:, docker-archive: or an https:// URL."})
final class FetchCommand implements Callable<Integer> {
    @picocli.CommandLine.Mixin
    HelpOption help;

    @Option(names = "--pull-policy", paramLabel = "new|update|never",
            description = "new: fetch images not in the store (default); update: check the source again; never: only the store")
    String pullPolicy;

    @Option(names = "--full", description = "print full image ids")
    boolean full;

    @Parameters(paramLabel = "IMAGE", arity = "1..*", description = "images to fetch")
    List<String> images = new ArrayList<>();

    private final Session session;

    FetchCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() {
        String policy = PodFlagParser.pullPolicy(pullPolicy);
        FetchOptions options = new FetchOptions(session.paths(), session.global.insecure(), policy,
                TerminalProgress.of(session));
        ImageServices services = new ImageServices(session);
        for (String image : images) {
            ImageReference ref = ImageReference.parse(image, Path.of(session.invocation.cwd()));
            StoredImage stored = services.withStore(store -> services.withFormatFor(ref,
                    format -> format.fetch(ref, options, store)));
            session.out.println(full ? stored.id() : ImageServices.shortId(stored.id()));
        }
        return 0;
    }
}
