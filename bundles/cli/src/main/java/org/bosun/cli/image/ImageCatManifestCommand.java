package org.bosun.cli.image;

import java.io.IOException;
import java.util.concurrent.Callable;

import org.bosun.api.image.StoredImage;
import org.bosun.cli.HelpOption;
import org.bosun.cli.PodJson;
import org.bosun.cli.Session;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code bosun image cat-manifest}: the manifest the image came with, or bosun's common form. */
@Command(name = "cat-manifest", description = {"Print an image's manifest as JSON: the manifest the image came with"
        + " (ACI image manifest, OCI or Docker manifest),", "or bosun's common form with --common (and for images"
        + " stored without their original manifest)."})
final class ImageCatManifestCommand implements Callable<Integer> {
    @picocli.CommandLine.Mixin
    HelpOption help;

    @Parameters(paramLabel = "ID", description = "an image id, unique id prefix or name")
    String id;

    private final Session session;

    ImageCatManifestCommand(Session session) {
        this.session = session;
    }

    @Option(names = "--common", description = "print bosun's common form of the manifest")
    boolean common;

    @Option(names = "--pretty-print", negatable = true, defaultValue = "true", fallbackValue = "true", arity = "0..1",
            paramLabel = "true|false", description = "indent the JSON (default true; --pretty-print=false: one line)")
    boolean pretty;

    @Override
    public Integer call() {
        String format = pretty ? "json-pretty" : "json";
        String text = new ImageServices(session).withStore(s -> {
            StoredImage image = ImageServices.find(s, session, id);
            String original = common ? null : s.originalManifest(session.paths(), image).map(json -> reformat(json, format))
                    .orElse(null);
            return original != null ? original : PodJson.write(PodJson.JSON.valueToTree(image.manifest()), format);
        });
        session.out().println(text);
        return 0;
    }

    /** The original manifest, indented or not; null when it is not JSON after all (the common form is printed). */
    private static String reformat(String json, String format) {
        try {
            return PodJson.write(PodJson.JSON.readTree(json), format);
        } catch (IOException e) {
            return null;
        }
    }
}
