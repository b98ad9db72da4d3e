package org.bosun.cli.image;

import java.util.List;
import java.util.concurrent.Callable;

import org.bosun.api.ErrorKind;
import org.bosun.cli.HelpOption;
import org.bosun.cli.Session;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code bosun image verify}: the store's digest check, one line per problem. */
@Command(name = "verify", description = "Check the digests of the blobs of one image, or of every image, on disk.")
final class ImageVerifyCommand implements Callable<Integer> {
    @picocli.CommandLine.Mixin
    HelpOption help;

    @Parameters(paramLabel = "ID", arity = "0..1", description = "an image id, unique id prefix or name (default: all)")
    String id;

    private final Session session;

    ImageVerifyCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() {
        List<String> problems = new ImageServices(session).withStore(s -> s.verify(session.paths(), id));
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
