package org.bosun.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;

import org.bosun.api.BosunException;
import org.bosun.api.provider.ProviderKind;
import org.bosun.api.trust.Signer;
import org.bosun.api.trust.TrustStore;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;

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

    static ExtensionBundles extensions(Session session) {
        ExtensionBundles extensions = new ExtensionBundles(context(session), session.paths().dataDir());
        extensions.checkSameDirectory(throughAgent(session));
        return extensions;
    }

    static String state(Bundle b) {
        return switch (b.getState()) {
            case Bundle.ACTIVE -> "active";
            case Bundle.RESOLVED -> b.getHeaders().get("Fragment-Host") != null ? "fragment" : "resolved";
            case Bundle.INSTALLED -> "installed";
            case Bundle.STARTING -> "starting";
            case Bundle.STOPPING -> "stopping";
            default -> "uninstalled";
        };
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
            BundleContext context = context(session);
            ExtensionIndex index = ExtensionIndex.read(session.paths().dataDir());
            String loadedFrom = context.getProperty(ExtensionBundles.DIR_PROPERTY);
            boolean sameDir = loadedFrom == null || Path.of(loadedFrom).equals(session.paths().dataDir());
            ArrayNode array = PodJson.JSON.createArrayNode();
            Set<String> seen = new HashSet<>();
            for (Bundle b : context.getBundles()) {
                ObjectNode node = array.addObject();
                node.put("id", b.getBundleId());
                node.put("symbolicName", String.valueOf(b.getSymbolicName()));
                node.put("version", b.getVersion().toString());
                node.put("state", state(b));
                var entry = sameDir && b.getSymbolicName() != null ? index.find(b.getSymbolicName()) : java.util.Optional.<ExtensionIndex.Entry>empty();
                node.put("origin", b.getBundleId() == 0 ? "framework" : entry.isPresent() ? origin(entry.get()) : "built-in");
                entry.ifPresent(e -> {
                    seen.add(e.symbolicName());
                    if (e.previous() != null) {
                        node.put("previousVersion", e.previous().version());
                    }
                });
            }
            for (ExtensionIndex.Entry e : index.entries()) {
                if (!seen.contains(e.symbolicName())) {
                    // Indexed but not in this framework: the agent started before, or it loads another --dir.
                    ObjectNode node = array.addObject();
                    node.putNull("id");
                    node.put("symbolicName", e.symbolicName());
                    node.put("version", e.current().version());
                    node.put("state", "not loaded");
                    node.put("origin", origin(e));
                    if (e.previous() != null) {
                        node.put("previousVersion", e.previous().version());
                    }
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

    /** An extension of the vendor's, or the update of a built-in bundle ({@code bosun bundle update}). */
    static String origin(ExtensionIndex.Entry entry) {
        return entry.updatesBuiltIn() ? "updated built-in" : "extension";
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

        /** The jar, read and (unless --insecure-options=bundle) verified. */
        BundleJar verifiedJar() {
            BundleJar jar = BundleJar.read(session.resolve(file));
            Path signatureFile = signature != null ? session.resolve(signature)
                    : jar.file().resolveSibling(jar.file().getFileName() + ".asc");
            if (session.global.insecureBundles()) {
                return jar;
            }
            if (!Files.isRegularFile(signatureFile)) {
                throw BosunException.precondition("bundle " + jar.file() + " is not signed: "
                        + (signature != null ? "the signature " + signatureFile + " does not exist"
                                : "no " + signatureFile.getFileName() + " beside it")
                        + "; give its detached signature with --signature=FILE, or accept it unsigned with"
                        + " --insecure-options=bundle");
            }
            try {
                if (Files.size(signatureFile) > MAX_SIGNATURE_BYTES) {
                    throw BosunException.invalid("signature " + signatureFile + " is larger than "
                            + MAX_SIGNATURE_BYTES + " bytes; a detached signature is far smaller");
                }
            } catch (IOException e) {
                throw BosunException.precondition("cannot read signature " + signatureFile + ": " + e.getMessage());
            }
            Signer signer = session.provider(ProviderKind.TRUST_STORE, null)
                    .orElseThrow(() -> BosunException.unavailable("the trust service (bundle org.bosun.trust) is not"
                            + " installed; bosun bundle needs it to verify signatures"))
                    .use((TrustStore t) -> {
                        try (InputStream signed = Files.newInputStream(jar.file());
                                InputStream sig = Files.newInputStream(signatureFile)) {
                            return t.verify(session.paths(), jar.trustName(), "bundle " + jar.file(), signed, sig);
                        } catch (IOException e) {
                            throw BosunException.precondition("cannot read bundle " + jar.file() + " or its signature "
                                    + signatureFile + ": " + e.getMessage());
                        }
                    });
            if (signer.scope().isRoot()) {
                throw BosunException.precondition("bundle " + jar.file() + " is signed by root key "
                        + signer.key().fingerprint() + ", but bundles run as root and need a key trusted for their"
                        + " vendor: bosun trust --prefix=" + jar.trustName() + " KEYFILE");
            }
            session.debug("bundle " + jar.file() + " signed by " + signer.key().fingerprint() + " ("
                    + signer.key().userId() + "), trusted for " + signer.scope());
            return jar;
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
            ExtensionBundles extensions = extensions(session);
            BundleJar jar = verifiedJar();
            Bundle bundle = extensions.install(jar);
            session.out().println("Installed " + bundle.getSymbolicName() + " " + bundle.getVersion() + " (bundle "
                    + bundle.getBundleId() + ", " + state(bundle) + " in " + where(session) + ")");
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
            ExtensionBundles extensions = extensions(session);
            BundleJar jar = verifiedJar();
            String before = extensions.index().find(jar.symbolicName()).map(e -> e.current().version())
                    .or(() -> extensions.installed(jar.symbolicName()).map(b -> b.getVersion().toString()))
                    .orElse(null);
            Bundle bundle = extensions.update(jar);
            session.out().println("Updated " + bundle.getSymbolicName() + " from " + before + " to "
                    + bundle.getVersion() + " (bundle " + bundle.getBundleId() + ", " + state(bundle) + " in "
                    + where(session) + ")");
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
            ExtensionBundles extensions = extensions(session);
            String before = extensions.index().find(name).map(e -> e.current().version()).orElse(null);
            Bundle bundle = extensions.rollback(name);
            session.out().println("Rolled " + name + " back from " + before + " to " + bundle.getVersion() + " (bundle "
                    + bundle.getBundleId() + ", " + state(bundle) + " in " + where(session) + ")");
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
            ExtensionBundles extensions = extensions(session);
            ExtensionIndex.Entry removed = extensions.uninstall(name);
            if (removed.updatesBuiltIn()) {
                session.out().println("Uninstalled the update " + removed.symbolicName() + " " + removed.current().version()
                        + extensions.installed(name).map(b -> "; the built-in " + b.getVersion() + " is back").orElse("")
                        + " (in " + where(session) + " and " + ExtensionIndex.folder(session.paths().dataDir()) + ")");
                return 0;
            }
            session.out().println("Uninstalled " + removed.symbolicName() + " " + removed.current().version()
                    + " (from " + where(session) + " and " + ExtensionIndex.folder(session.paths().dataDir()) + ")");
            return 0;
        }
    }
}
