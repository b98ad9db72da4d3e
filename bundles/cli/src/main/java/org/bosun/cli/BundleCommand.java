package org.bosun.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import org.bosun.api.BosunException;
import org.bosun.api.bundle.BundleChange;
import org.bosun.api.bundle.BundleRecord;
import org.bosun.api.bundle.PlatformBundles;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code bosun bundle}: the bundles of the platform this command runs in (the agent's when it
 * runs, else the one booted for the command) and the extension bundles of the data directory,
 * which every bosun command loads until they are uninstalled. A bundle is code that runs as root:
 * install and update need a detached OpenPGP signature by a key trusted for {@code bundle/VENDOR}.
 */
@Command(name = "bundle", description = {"List the platform's bundles; install, update, roll back and uninstall"
        + " extension bundles.",
        "Extension bundles live in bundles/ of the data directory and are loaded by every bosun command, with or without"
                + " the agent. Install and update verify FILE.asc (or --signature) with the keys trusted for"
                + " bundle/VENDOR, VENDOR being the first two segments of the Bundle-SymbolicName (com.example for"
                + " com.example.engine): bosun trust --prefix=bundle/com.example KEY."},
        subcommands = {BundleCommand.ListBundles.class, BundleCommand.Install.class, BundleCommand.Update.class,
                BundleCommand.Rollback.class, BundleCommand.Uninstall.class})
final class BundleCommand implements Callable<Integer> {
    @CommandLine.Mixin
    HelpOption help;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private final Session session;

    BundleCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(session.out());
        return 0;
    }

    static BundleContext context(Session session) {
        if (session.context == null) {
            throw BosunException.unavailable("no OSGi framework runs this command; bosun bundle needs the launcher's"
                    + " platform or the agent");
        }
        return session.context;
    }

    static boolean throughAgent(Session session) {
        return session.context != null && session.context.getProperty(TrustCommand.AGENT_SOCKET_PROPERTY) != null;
    }

    /** The platform's bundle service (bundle org.bosun.extensions), for one command. */
    static <R> R bundles(Session session, java.util.function.Function<PlatformBundles, R> operation) {
        BundleContext context = context(session);
        ServiceReference<PlatformBundles> ref = context.getServiceReference(PlatformBundles.class);
        PlatformBundles bundles = ref == null ? null : context.getService(ref);
        if (bundles == null) {
            throw BosunException.unavailable("the bundle service (bundle org.bosun.extensions) is not running in "
                    + where(session) + "; bosun bundle needs it");
        }
        try {
            return operation.apply(bundles);
        } finally {
            context.ungetService(ref);
        }
    }

    static String where(Session session) {
        return throughAgent(session) ? "the agent" : "this platform";
    }

    /** {@code bosun bundle list}. */
    @Command(name = "list", description = "List the bundles of the platform (the agent's when it runs) and the"
            + " extension bundles of the data directory.")
    static final class ListBundles implements Callable<Integer> {
        @CommandLine.Mixin
        HelpOption help;

        @Option(names = "--format", paramLabel = "FORMAT", converter = OutputFormat.Converter.class,
                description = "tabular (default), json or json-pretty")
        OutputFormat format = OutputFormat.TABULAR;

        @Option(names = "--no-legend", description = "do not print the header line")
        boolean noLegend;

        private final Session session;

        ListBundles(Session session) {
            this.session = session;
        }

        @Override
        public Integer call() {
            List<BundleRecord> records = bundles(session, b -> b.list(session.paths()));
            ArrayNode array = PodJson.JSON.createArrayNode();
            for (BundleRecord r : records) {
                ObjectNode node = array.addObject();
                if (r.id() == null) {
                    node.putNull("id");
                } else {
                    node.put("id", r.id());
                }
                node.put("symbolicName", r.symbolicName());
                node.put("version", r.version());
                node.put("state", r.state());
                node.put("origin", r.origin());
                if (r.previousVersion() != null) {
                    node.put("previousVersion", r.previousVersion());
                }
            }
            if (format != OutputFormat.TABULAR) {
                session.out().println(PodJson.write(array, format.jsonName()));
                return 0;
            }
            List<String[]> rows = new ArrayList<>();
            if (!noLegend) {
                rows.add(new String[] {"ID", "SYMBOLIC NAME", "VERSION", "STATE", "ORIGIN"});
            }
            array.forEach(n -> rows.add(new String[] {n.path("id").isNull() ? "-" : n.path("id").asText(),
                    n.path("symbolicName").asText(), n.path("version").asText(), n.path("state").asText(),
                    n.path("origin").asText()}));
            Table.print(session.out(), rows);
            return 0;
        }
    }

    /** The flags of install and update: the jar and its signature. */
    abstract static class FromFile implements Callable<Integer> {
        static final long MAX_SIGNATURE_BYTES = 1 << 20;

        @CommandLine.Mixin
        HelpOption help;

        @Option(names = "--signature", paramLabel = "FILE",
                description = "the detached OpenPGP signature of the jar (default: FILE.asc beside it)")
        String signature;

        @Parameters(index = "0", paramLabel = "FILE", description = "the bundle jar")
        String file;

        final Session session;

        FromFile(Session session) {
            this.session = session;
        }

        /** The jar's path, as the user gave it, resolved against the caller's directory. */
        Path jar() {
            return session.resolve(file);
        }

        /** The signature given with --signature, or null for FILE.asc beside the jar. */
        Path signature() {
            return signature == null ? null : session.resolve(signature);
        }

        void debugSigner(BundleChange change) {
            if (change.signer() != null) {
                session.debug("bundle " + jar() + " signed by " + change.signer());
            }
        }
    }

    /** {@code bosun bundle install FILE}. */
    @Command(name = "install", description = "Install and start an extension bundle, and keep it in the data directory"
            + " for every later bosun command.")
    static final class Install extends FromFile {
        Install(Session session) {
            super(session);
        }

        @Override
        public Integer call() {
            BundleChange c = bundles(session,
                    b -> b.install(session.paths(), jar(), signature(), session.global.insecureBundles()));
            debugSigner(c);
            session.out().println(c.installed());
            return 0;
        }
    }

    /** {@code bosun bundle update FILE}. */
    @Command(name = "update", description = "Replace an installed extension bundle, or one of bosun's own engines,"
            + " image formats, network or security bundles, by FILE (same Bundle-SymbolicName, another version), live;"
            + " the replaced version is kept for 'bosun bundle rollback'.")
    static final class Update extends FromFile {
        Update(Session session) {
            super(session);
        }

        @Override
        public Integer call() {
            BundleChange c = bundles(session,
                    b -> b.update(session.paths(), jar(), signature(), session.global.insecureBundles()));
            debugSigner(c);
            session.out().println(c.updated());
            return 0;
        }
    }

    /** {@code bosun bundle rollback NAME}. */
    @Command(name = "rollback", description = "Return an extension bundle, or an updated built-in one, to the version"
            + " its last update replaced.")
    static final class Rollback implements Callable<Integer> {
        @CommandLine.Mixin
        HelpOption help;

        @Parameters(index = "0", paramLabel = "NAME", description = "the bundle's symbolic name")
        String name;

        private final Session session;

        Rollback(Session session) {
            this.session = session;
        }

        @Override
        public Integer call() {
            session.out().println(bundles(session, b -> b.rollback(session.paths(), name)).rolledBack());
            return 0;
        }
    }

    /** {@code bosun bundle uninstall NAME}. */
    @Command(name = "uninstall", description = "Uninstall an extension bundle and remove it from the data directory;"
            + " for an updated built-in bundle, go back to the built-in version.")
    static final class Uninstall implements Callable<Integer> {
        @CommandLine.Mixin
        HelpOption help;

        @Parameters(index = "0", paramLabel = "NAME", description = "the bundle's symbolic name")
        String name;

        private final Session session;

        Uninstall(Session session) {
            this.session = session;
        }

        @Override
        public Integer call() {
            session.out().println(bundles(session, b -> b.uninstall(session.paths(), name)).uninstalled());
            return 0;
        }
    }
}
