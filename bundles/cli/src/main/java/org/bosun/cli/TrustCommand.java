package org.bosun.cli;

import java.io.Console;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Function;

import org.bosun.api.BosunException;
import org.bosun.api.provider.ProviderKind;
import org.bosun.api.trust.OpenPgpKey;
import org.bosun.api.trust.PublicKeyDiscovery;
import org.bosun.api.trust.TrustScope;
import org.bosun.api.trust.TrustStore;
import org.bosun.api.trust.TrustedKey;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code bosun trust}, as rkt's: trusts the public keys in KEYFILEs for the images whose names
 * start with a prefix, or for every image, after the user reviewed their fingerprints. Also lists
 * and removes trusted keys.
 */
@Command(name = "trust", description = {"Trust the OpenPGP public keys in KEYFILEs to sign images: those whose names"
        + " start with PREFIX (--prefix), or every image (--root).",
        "Keys are stored in trustedkeys/ under --local-config. Also: --list the trusted keys, --remove one."})
final class TrustCommand implements Callable<Integer> {
    /** Set by the launcher in the agent's framework: a command served there cannot read the caller's terminal. */
    static final String AGENT_SOCKET_PROPERTY = "bosun.agent.socket";
    private static final long MAX_KEY_FILE_BYTES = 4 << 20;

    @picocli.CommandLine.Mixin
    HelpOption help;

    @Option(names = "--prefix", paramLabel = "PREFIX",
            description = "trust the keys for images named PREFIX or below it (example.com/app covers example.com/app/x)")
    String prefix;

    @Option(names = "--root", description = "trust the keys for every image")
    boolean root;

    @Option(names = "--skip-fingerprint-review", description = "trust without showing the keys and asking first")
    boolean skipReview;

    @Option(names = "--list", description = "list the trusted keys (with --prefix: those that count for that image name)")
    boolean list;

    @Option(names = "--remove", paramLabel = "FINGERPRINT",
            description = "stop trusting the key FINGERPRINT for --prefix or --root")
    String remove;

    @Option(names = "--format", paramLabel = "FORMAT", converter = OutputFormat.Converter.class,
            description = "for --list: tabular (default), json or json-pretty")
    OutputFormat format = OutputFormat.TABULAR;

    @Option(names = "--no-legend", description = "for --list: do not print the header line")
    boolean noLegend;

    @Parameters(paramLabel = "KEYFILE", arity = "0..*", description = "files or https:// URLs with ASCII-armored or binary public keys; without any, the keys"
                    + " that appc discovery of PREFIX announces (ac-discovery-pubkeys)")
    List<String> keyFiles;

    private final Session session;

    TrustCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() {
        List<String> files = keyFiles == null ? List.of() : keyFiles;
        if (prefix != null && root) {
            throw BosunException.invalid("--prefix and --root exclude each other; a key is trusted for a prefix or for"
                    + " every image");
        }
        if (list) {
            if (remove != null || !files.isEmpty()) {
                throw BosunException.invalid("--list takes no KEYFILE and no --remove");
            }
            return list();
        }
        if (remove != null) {
            if (!files.isEmpty()) {
                throw BosunException.invalid("--remove takes a fingerprint, no KEYFILE");
            }
            return remove(scope());
        }
        TrustScope scope = scope();
        if (files.isEmpty()) {
            if (scope.isRoot()) {
                throw BosunException.invalid("give the KEYFILEs to trust as root keys; keys are discovered only for a"
                        + " --prefix");
            }
            // rkt: without a key file, the keys the publisher announces by appc discovery (ac-discovery-pubkeys).
            for (PublicKeyDiscovery.KeyFile key : withKeyDiscovery(d -> d.discover(session.paths(), scope.prefix(),
                    session.global.insecure()))) {
                add(scope, key.location().toString(), key.data());
            }
            return 0;
        }
        for (String file : files) {
            add(scope, file, readKeyFile(file));
        }
        return 0;
    }

    private TrustScope scope() {
        if (root) {
            return TrustScope.root();
        }
        if (prefix == null) {
            throw BosunException.invalid("give --prefix=PREFIX to trust a key for the images named PREFIX or below it,"
                    + " or --root to trust it for every image");
        }
        return TrustScope.prefix(prefix);
    }

    private void add(TrustScope scope, String location, byte[] data) {
        List<OpenPgpKey> keys = withTrustStore(t -> t.read(data));
        String scopeText = scope.isRoot() ? "root" : "prefix " + quote(scope.prefix());
        if (skipReview) {
            session.out.println("Trusting " + quote(location) + " for " + scopeText + " without fingerprint review.");
        } else if (!review(scope, location, keys)) {
            session.out.println("Not trusting " + quote(location));
            return;
        }
        for (TrustedKey stored : withTrustStore(t -> t.trust(session.paths(), scope, data))) {
            session.out.println((scope.isRoot() ? "Added root key at " : "Added key for prefix " + quote(scope.prefix())
                    + " at ") + quote(stored.file().toString()));
        }
    }

    private byte[] readKeyFile(String location) {
        if (location.matches("(?i)https?://.*")) {
            java.net.URI uri = java.net.URI.create(location);
            return withKeyDiscovery(d -> d.download(session.paths(), uri, session.global.insecure())).data();
        }
        Path file = session.resolve(location);
        try {
            if (Files.size(file) > MAX_KEY_FILE_BYTES) {
                throw BosunException.invalid("key file " + file + " is larger than " + MAX_KEY_FILE_BYTES
                        + " bytes; a public key is far smaller");
            }
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw BosunException.notFound("key file " + file + " does not exist");
        } catch (IOException e) {
            throw BosunException.precondition("cannot read key file " + file + " (" + e.getMessage() + ")");
        }
    }

    /** rkt's fingerprint review: the key, then a yes/no question on the caller's terminal. */
    private boolean review(TrustScope scope, String location, List<OpenPgpKey> keys) {
        Console console = System.console();
        boolean inAgent = session.context != null && session.context.getProperty(AGENT_SOCKET_PROPERTY) != null;
        if (!session.invocation.stdoutTerminal() || console == null || inAgent) {
            List<String> named = new ArrayList<>();
            keys.forEach(k -> named.add(k.fingerprint() + (k.userId().isEmpty() ? "" : " (" + k.userId() + ")")));
            String why = inAgent && session.invocation.stdoutTerminal()
                    ? "the agent cannot ask on your terminal (run with BOSUN_AGENT=off to be asked)"
                    : "there is no terminal to ask on";
            throw BosunException.precondition("not trusting " + location + " with key " + String.join(", ", named)
                    + " unreviewed: " + why + "; check the fingerprint and run again with --skip-fingerprint-review");
        }
        session.out.println("prefix: " + (scope.isRoot() ? "(root)" : quote(scope.prefix())));
        session.out.println("key: " + quote(location));
        for (OpenPgpKey key : keys) {
            session.out.println("gpg key fingerprint is: " + grouped(key.fingerprint()));
            key.subkeyFingerprints().forEach(s -> session.out.println("    Subkey fingerprint: " + grouped(s)));
            key.userIds().forEach(u -> session.out.println("\t" + u));
        }
        while (true) {
            session.out.print("Are you sure you want to trust this key (yes/no)? ");
            session.out.flush();
            String answer = console.readLine();
            if (answer == null) {
                return false;
            }
            switch (answer.trim().toLowerCase(Locale.ROOT)) {
                case "yes" -> {
                    return true;
                }
                case "no" -> {
                    return false;
                }
                default -> session.out.println("Please enter 'yes' or 'no'");
            }
        }
    }

    private int remove(TrustScope scope) {
        TrustedKey removed = withTrustStore(t -> t.remove(session.paths(), scope, remove));
        String what = "key " + removed.key().fingerprint() + " for " + (scope.isRoot() ? "root" : "prefix "
                + quote(scope.prefix()));
        if (removed.origin() == TrustedKey.Origin.LOCAL) {
            session.out.println("Removed " + what + " (" + removed.file() + ")");
        } else {
            session.out.println("Withdrew system " + what + " (" + removed.file() + ") with an empty file of that name"
                    + " under " + session.paths().localConfigDir().resolve("trustedkeys"));
        }
        return 0;
    }

    private int list() {
        List<TrustedKey> keys = new ArrayList<>(withTrustStore(t -> t.list(session.paths())));
        if (root) {
            keys.removeIf(k -> !k.scope().isRoot());
        } else if (prefix != null) {
            String name = TrustScope.prefix(prefix).prefix();
            keys.removeIf(k -> !k.scope().covers(name));
        }
        if (format != OutputFormat.TABULAR) {
            ArrayNode array = PodJson.JSON.createArrayNode();
            keys.forEach(k -> array.add(json(k)));
            session.out.println(PodJson.write(array, format.jsonName()));
            return 0;
        }
        List<String[]> rows = new ArrayList<>();
        if (!noLegend) {
            rows.add(new String[] {"PREFIX", "FINGERPRINT", "ORIGIN", "USER ID"});
        }
        for (TrustedKey k : keys) {
            rows.add(new String[] {k.scope().isRoot() ? "(root)" : k.scope().prefix(), k.key().fingerprint(),
                    k.origin().name().toLowerCase(Locale.ROOT), k.key().userId()});
        }
        Table.print(session.out, rows);
        return 0;
    }

    private static ObjectNode json(TrustedKey k) {
        ObjectNode node = PodJson.JSON.createObjectNode();
        if (k.scope().isRoot()) {
            node.putNull("prefix");
        } else {
            node.put("prefix", k.scope().prefix());
        }
        node.put("root", k.scope().isRoot());
        node.put("fingerprint", k.key().fingerprint());
        ArrayNode ids = node.putArray("user_ids");
        k.key().userIds().forEach(ids::add);
        ArrayNode subkeys = node.putArray("subkey_fingerprints");
        k.key().subkeyFingerprints().forEach(subkeys::add);
        node.put("created", k.key().created().toString());
        if (k.key().expires() == null) {
            node.putNull("expires");
        } else {
            node.put("expires", k.key().expires().toString());
        }
        node.put("origin", k.origin().name().toLowerCase(Locale.ROOT));
        node.put("file", k.file().toString());
        return node;
    }

    /** The trust service for one operation; the trust bundle may be updated between two. */
    private <R> R withTrustStore(Function<TrustStore, R> operation) {
        return session.provider(ProviderKind.TRUST_STORE, null)
                .orElseThrow(() -> BosunException.unavailable("the trust service (bundle org.bosun.trust) is not"
                        + " installed; bosun trust needs it"))
                .use(operation);
    }

    /** The key downloader (the appc format bundle provides it), for one operation. */
    private <R> R withKeyDiscovery(Function<PublicKeyDiscovery, R> operation) {
        return session.provider(ProviderKind.KEY_DISCOVERY, null)
                .orElseThrow(() -> BosunException.unavailable("discovering and downloading keys needs the appc image"
                        + " format bundle (org.bosun.image.appc), which is not installed; download the key and give"
                        + " the file"))
                .use(operation);
    }

    /** {@code ABCD 1234 ... } in groups of four, as gpg and rkt show fingerprints. */
    static String grouped(String fingerprint) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < fingerprint.length(); i += 4) {
            if (i > 0) {
                sb.append(i == fingerprint.length() / 2 ? "  " : " ");
            }
            sb.append(fingerprint, i, Math.min(i + 4, fingerprint.length()));
        }
        return sb.toString();
    }

    private static String quote(String s) {
        return "\"" + s + "\"";
    }
}
