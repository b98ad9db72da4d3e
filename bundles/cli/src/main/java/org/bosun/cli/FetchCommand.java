package org.bosun.cli;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import org.bosun.api.BosunException;
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

    // A field, not a setter: picocli resets fields to their initial value before each parse, and
    // the agent reuses this command, so the last fetch's images must not be seen by this one's
    // --signature (a setter method is not reset when the list it was given is already empty)
    @Parameters(paramLabel = "IMAGE [--signature=FILE]", arity = "1..*", description = "images to fetch, each"
            + " followed by its detached signature when it is an ACI whose signature is a local file (as in rkt)")
    List<String> images;
    /** The {@code --signature} of each image, by its index in {@link #images}. */
    private final Map<Integer, String> signatures = new HashMap<>();

    @Option(names = "--signature", paramLabel = "FILE",
            description = "after an image: the ACI's detached signature, to verify it with instead of one fetched beside it")
    void signatures(List<String> given) {
        if (given.isEmpty()) {
            // picocli's reset before each parse: the agent reuses this command, and the last
            // command's signatures must not count against this one's images
            signatures.clear();
            return;
        }
        if (images == null || images.isEmpty()) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--signature " + given.get(given.size() - 1) + " comes before any image; give it after the image it verifies");
        }
        if (signatures.putIfAbsent(images.size() - 1, given.get(given.size() - 1)) != null) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "image " + images.get(images.size() - 1) + " has two --signature files; give it one");
        }
    }

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

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
        for (int i = 0; i < images.size(); i++) {
            String image = images.get(i);
            ImageReference ref = ImageReference.parse(image, Path.of(session.invocation.cwd()));
            FetchOptions imageOptions = options;
            String signature = signatures.get(i);
            if (signature != null) {
                if (!ref.verifiedByDetachedSignature()) {
                    throw BosunException.invalid("--signature of image " + image + ": a signature file verifies an ACI"
                            + " (a file, URL or appc name); this image is verified by its own format's rules");
                }
                imageOptions = new FetchOptions(options.paths(), options.insecureOptions(), options.pullPolicy(),
                        options.progress(), session.resolve(signature));
            }
            FetchOptions fetch = imageOptions;
            StoredImage stored = services.withStore(store -> services.withFormatFor(ref,
                    format -> format.fetch(ref, fetch, store)));
            session.out.println(full ? stored.id() : ImageServices.shortId(stored.id()));
        }
        return 0;
    }
}
