package org.bosun.cli.image;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;

import org.bosun.api.ErrorKind;
import org.bosun.cli.HelpOption;
import org.bosun.cli.Session;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code bosun image verify}: the store's digest check, one line per problem. */
@Command(name = "verify", description = "Check the digests of the blobs of the images given, or of every image, on disk.")
final class ImageVerifyCommand implements Callable<Integer> {
    @picocli.CommandLine.Mixin
    HelpOption help;

    @Parameters(paramLabel = "ID", arity = "0..*",
            description = "image ids, unique id prefixes or names (default: all)")
    List<String> ids = new ArrayList<>();

    private final Session session;

    ImageVerifyCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() {
        ImageServices services = new ImageServices(session);
        List<String> problems = new ArrayList<>();
        if (ids.isEmpty()) {
            problems.addAll(services.withStore(s -> s.verify(session.paths(), null)));
        }
        // Each image once, however many of its ids and names are given.
        Set<String> found = new LinkedHashSet<>();
        for (String id : ids) {
            found.add(services.withStore(s -> ImageServices.find(s, session, id)).id());
        }
        for (String id : found) {
            problems.addAll(services.withStore(s -> s.verify(session.paths(), id)));
        }
        problems.forEach(session.out()::println);
        if (!problems.isEmpty()) {
            session.err().println("bosun image verify: " + problems.size() + " problem"
                    + (problems.size() == 1 ? "" : "s") + " found");
            return ErrorKind.FAILED_PRECONDITION.exitCode();
        }
        session.out().println("all blobs verified");
        return 0;
    }
}
