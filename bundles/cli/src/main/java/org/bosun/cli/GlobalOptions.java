package org.bosun.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

import org.bosun.api.BosunException;
import org.bosun.api.InsecureOption;
import org.bosun.api.RuntimePaths;

import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** rkt's global flags; they may stand before or after the command name. */
final class GlobalOptions {
    @Option(names = "--dir", paramLabel = "DIR", scope = ScopeType.INHERIT,
            description = "bosun data directory (default: from paths.d, else /var/lib/bosun)")
    String dir;

    @Option(names = "--local-config", paramLabel = "DIR", scope = ScopeType.INHERIT,
            description = "local configuration directory (default: /etc/bosun)")
    String localConfig = RuntimePaths.DEFAULT_LOCAL_CONFIG.toString();

    @Option(names = "--system-config", paramLabel = "DIR", scope = ScopeType.INHERIT,
            description = "system configuration directory (default: /usr/lib/bosun)")
    String systemConfig = RuntimePaths.DEFAULT_SYSTEM_CONFIG.toString();

    @Option(names = "--insecure-options", paramLabel = "LIST", scope = ScopeType.INHERIT,
            description = "comma-separated checks to switch off: image, tls, http, pubkey, ondisk, capabilities, "
                    + "paths, seccomp, bundle, all-fetch, all-run, all, none")
    String insecureOptions = "none";

    @Option(names = "--debug", scope = ScopeType.INHERIT, description = "print details to stderr")
    boolean debug;

    @Option(names = "--user-config", paramLabel = "DIR", scope = ScopeType.INHERIT, hidden = true,
            description = "accepted for rkt compatibility; bosun has no per-user configuration")
    String userConfig;

    private Session session;
    private RuntimePaths paths;
    private Configuration configuration;

    void bind(Session session) {
        this.session = session;
    }

    /** Drops what was derived from the last invocation's options. */
    void forget() {
        paths = null;
        configuration = null;
    }

    Set<InsecureOption> insecure() {
        try {
            return InsecureOption.parse(withoutBundle(insecureOptions));
        } catch (BosunException e) {
            throw BosunException.invalid(e.getMessage().replace("seccomp, all-fetch", "seccomp, bundle, all-fetch"));
        }
    }

    /**
     * Whether {@code --insecure-options} names {@code bundle} (or {@code all}): extension bundles
     * without a trusted signature are accepted by {@code bosun bundle install|update}. Only the CLI
     * installs bundles, so this value is the CLI's, not one of the API's image and run options.
     */
    boolean insecureBundles() {
        insecure();
        for (String word : insecureOptions == null ? new String[0] : insecureOptions.split(",")) {
            String w = word.trim().toLowerCase(java.util.Locale.ROOT);
            if (w.equals(BUNDLE) || w.equals("all")) {
                return true;
            }
        }
        return false;
    }

    static final String BUNDLE = "bundle";

    /** The list without {@code bundle}, for {@link InsecureOption#parse}; an unknown word stays and is refused there. */
    static String withoutBundle(String list) {
        if (list == null) {
            return null;
        }
        StringBuilder sb = new StringBuilder();
        for (String word : list.split(",")) {
            if (!word.trim().equalsIgnoreCase(BUNDLE)) {
                sb.append(sb.length() == 0 ? "" : ",").append(word);
            }
        }
        return sb.toString();
    }

    Configuration configuration() {
        if (configuration == null) {
            configuration = Configuration.load(session.resolve(systemConfig), session.resolve(localConfig));
        }
        return configuration;
    }

    RuntimePaths paths() {
        if (paths == null) {
            Path data = dir != null ? session.resolve(dir) : configuration().dataDir();
            if (Files.exists(data) && !Files.isDirectory(data)) {
                throw BosunException.invalid("the data directory " + data + (dir != null ? " (--dir)" : " (paths.d)")
                        + " is not a directory; give a directory, or a path where bosun may create one");
            }
            paths = new RuntimePaths(data, session.resolve(localConfig), session.resolve(systemConfig));
        }
        return paths;
    }
}
