package org.bosun.cli.image;

import java.time.Duration;
import java.util.concurrent.Callable;

import org.bosun.api.image.ImageGcReport;
import org.bosun.api.text.HumanText;
import org.bosun.cli.Durations;
import org.bosun.cli.HelpOption;
import org.bosun.cli.Session;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bosun image gc}: the store's gc, keeping the images that pods use. */
@Command(name = "gc", description = {"Remove images unused for longer than the grace period, rendered trees and blobs"
        + " no image needs, and leftovers of killed fetches.", "Images of prepared and running pods are kept."})
final class ImageGcCommand implements Callable<Integer> {
    @picocli.CommandLine.Mixin
    HelpOption help;

    @Option(names = "--grace-period", paramLabel = "DURATION",
            description = "remove images not used for this long (default 24h; 0 removes every unused image)")
    String gracePeriod = "24h";

    private final Session session;

    ImageGcCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() {
        Duration grace = Durations.parse(gracePeriod, "--grace-period");
        ImageServices services = new ImageServices(session);
        // Pods are listed under the store's gc lock: one prepared meanwhile is either listed or pinned.
        ImageGcReport report = services.withStore(s -> s.gc(session.paths(), grace, true,
                () -> session.pods().imagesInUse(session.paths())));
        report.images().forEach(id -> session.out().println("removed image " + id));
        session.out().println("removed " + report.images().size() + " images, " + report.trees() + " trees, "
                + report.blobs() + " blobs, " + report.leftovers() + " leftovers; freed "
                + HumanText.bytes(report.bytesFreed()));
        return 0;
    }
}
