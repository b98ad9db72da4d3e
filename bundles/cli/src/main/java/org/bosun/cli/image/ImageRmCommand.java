package org.bosun.cli.image;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;

import org.bosun.api.BosunException;
import org.bosun.cli.HelpOption;
import org.bosun.cli.Session;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code bosun image rm}: each image on its own, an error for one does not stop the others. */
@Command(name = "rm", description = "Remove images (and their rendered trees) that no prepared or running pod uses.")
final class ImageRmCommand implements Callable<Integer> {
    @picocli.CommandLine.Mixin
    HelpOption help;

    @Parameters(paramLabel = "ID", arity = "1..*", description = "image ids, unique id prefixes or names")
    List<String> ids;

    private final Session session;

    ImageRmCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() {
        ImageServices services = new ImageServices(session);
        int exit = 0;
        int removed = 0;
        // An id and a name of the same image are one image: it is removed once, as rkt did.
        Set<String> found = new LinkedHashSet<>();
        for (String id : ids) {
            try {
                found.add(services.withStore(store -> ImageServices.find(store, session, id)).id());
            } catch (BosunException e) {
                session.err().println("bosun image rm: " + e.getMessage());
                exit = exit == 0 ? e.kind().exitCode() : exit;
            }
        }
        for (String id : found) {
            try {
                services.withStore(store -> {
                    store.remove(session.paths(), id, () -> session.pods().imagesInUse(session.paths()));
                    return null;
                });
                removed++;
            } catch (BosunException e) {
                session.err().println("bosun image rm: " + e.getMessage());
                exit = exit == 0 ? e.kind().exitCode() : exit;
            }
        }
        session.out().println("removed " + removed + " image" + (removed == 1 ? "" : "s"));
        return exit;
    }
}
