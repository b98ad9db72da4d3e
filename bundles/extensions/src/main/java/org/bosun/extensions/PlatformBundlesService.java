package org.bosun.extensions;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.bosun.api.BosunException;
import org.bosun.api.RuntimePaths;
import org.bosun.api.bundle.BundleChange;
import org.bosun.api.bundle.BundleRecord;
import org.bosun.api.bundle.PlatformBundles;
import org.bosun.api.provider.ProviderKind;
import org.bosun.api.provider.ProviderRegistry;
import org.bosun.api.trust.Signer;
import org.bosun.api.trust.TrustStore;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * {@link PlatformBundles} in the framework this bundle runs in, with the data directory's
 * {@link ExtensionIndex} kept by {@link ExtensionBundles}; the jar's signature is verified by the
 * provider registry's trust store, got for that one verification.
 */
@Component(service = PlatformBundles.class)
public final class PlatformBundlesService implements PlatformBundles {
    /** Set by the agent: its socket; a framework with it is the agent's. */
    static final String AGENT_SOCKET_PROPERTY = "bosun.agent.socket";
    static final long MAX_SIGNATURE_BYTES = 1 << 20;

    private final BundleContext context;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile ProviderRegistry providers;

    @Activate
    public PlatformBundlesService(BundleContext context) {
        this.context = context;
    }

    private boolean agent() {
        return context.getProperty(AGENT_SOCKET_PROPERTY) != null;
    }

    private String platform() {
        return agent() ? "the agent" : "this platform";
    }

    private ExtensionBundles extensions(RuntimePaths paths) {
        ExtensionBundles extensions = new ExtensionBundles(context, paths.dataDir());
        extensions.checkSameDirectory(agent());
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

    /** An extension of the vendor's, or the update of a built-in bundle. */
    static String origin(ExtensionIndex.Entry entry) {
        return entry.updatesBuiltIn() ? "updated built-in" : "extension";
    }

    @Override
    public List<BundleRecord> list(RuntimePaths paths) {
        ExtensionIndex index = ExtensionIndex.read(paths.dataDir());
        String loadedFrom = context.getProperty(ExtensionBundles.DIR_PROPERTY);
        boolean sameDir = loadedFrom == null || Path.of(loadedFrom).equals(paths.dataDir());
        List<BundleRecord> records = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (Bundle b : context.getBundles()) {
            Optional<ExtensionIndex.Entry> entry = sameDir && b.getSymbolicName() != null
                    ? index.find(b.getSymbolicName()) : Optional.empty();
            entry.ifPresent(e -> seen.add(e.symbolicName()));
            records.add(new BundleRecord(b.getBundleId(), String.valueOf(b.getSymbolicName()),
                    b.getVersion().toString(), state(b),
                    b.getBundleId() == 0 ? "framework" : entry.map(PlatformBundlesService::origin).orElse("built-in"),
                    entry.map(e -> e.previous() == null ? null : e.previous().version()).orElse(null)));
        }
        for (ExtensionIndex.Entry e : index.entries()) {
            if (!seen.contains(e.symbolicName())) {
                // Indexed but not in this framework: the agent started before, or it loads another --dir.
                records.add(new BundleRecord(null, e.symbolicName(), e.current().version(), "not loaded", origin(e),
                        e.previous() == null ? null : e.previous().version()));
            }
        }
        return records;
    }

    @Override
    public BundleChange install(RuntimePaths paths, Path file, Path signature, boolean acceptUnsigned) {
        ExtensionBundles extensions = extensions(paths);
        BundleJar jar = BundleJar.read(file);
        String signer = acceptUnsigned ? null : verify(paths, jar, signature);
        Bundle bundle = extensions.install(jar);
        return new BundleChange(bundle.getSymbolicName(), null, bundle.getVersion().toString(), bundle.getBundleId(),
                state(bundle), platform(), ExtensionIndex.folder(paths.dataDir()), false, signer);
    }

    @Override
    public BundleChange update(RuntimePaths paths, Path file, Path signature, boolean acceptUnsigned) {
        ExtensionBundles extensions = extensions(paths);
        BundleJar jar = BundleJar.read(file);
        String signer = acceptUnsigned ? null : verify(paths, jar, signature);
        String before = extensions.index().find(jar.symbolicName()).map(e -> e.current().version())
                .or(() -> extensions.installed(jar.symbolicName()).map(b -> b.getVersion().toString()))
                .orElse(null);
        Bundle bundle = extensions.update(jar);
        boolean builtIn = extensions.index().find(jar.symbolicName()).map(ExtensionIndex.Entry::updatesBuiltIn)
                .orElse(false);
        return new BundleChange(bundle.getSymbolicName(), before, bundle.getVersion().toString(),
                bundle.getBundleId(), state(bundle), platform(), ExtensionIndex.folder(paths.dataDir()), builtIn,
                signer);
    }

    @Override
    public BundleChange rollback(RuntimePaths paths, String symbolicName) {
        ExtensionBundles extensions = extensions(paths);
        Optional<ExtensionIndex.Entry> entry = extensions.index().find(symbolicName);
        Bundle bundle = extensions.rollback(symbolicName);
        return new BundleChange(symbolicName, entry.map(e -> e.current().version()).orElse(null),
                bundle.getVersion().toString(), bundle.getBundleId(), state(bundle), platform(),
                ExtensionIndex.folder(paths.dataDir()), entry.map(ExtensionIndex.Entry::updatesBuiltIn).orElse(false),
                null);
    }

    @Override
    public BundleChange uninstall(RuntimePaths paths, String symbolicName) {
        ExtensionBundles extensions = extensions(paths);
        ExtensionIndex.Entry removed = extensions.uninstall(symbolicName);
        Optional<Bundle> back = removed.updatesBuiltIn() ? extensions.installed(symbolicName) : Optional.empty();
        return new BundleChange(removed.symbolicName(), removed.current().version(),
                back.map(b -> b.getVersion().toString()).orElse(null), back.map(Bundle::getBundleId).orElse(-1L),
                back.map(PlatformBundlesService::state).orElse(null), platform(),
                ExtensionIndex.folder(paths.dataDir()), removed.updatesBuiltIn(), null);
    }

    /**
     * Verifies the jar's detached signature ({@code signature}, or JAR.asc beside it) with the keys trusted
     * for {@code bundle/VENDOR}; a root key is not enough, bundles run as root. Says who signed it.
     */
    private String verify(RuntimePaths paths, BundleJar jar, Path signature) {
        Path signatureFile = signature != null ? signature
                : jar.file().resolveSibling(jar.file().getFileName() + ".asc");
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
        ProviderRegistry registry = providers;
        Signer signer = (registry == null ? Optional.<org.bosun.api.provider.ProviderReference<TrustStore>>empty()
                : registry.best(ProviderKind.TRUST_STORE, null))
                .orElseThrow(() -> BosunException.unavailable("the trust service (bundle org.bosun.trust) is not"
                        + " installed; bosun bundle needs it to verify signatures"))
                .use((TrustStore t) -> {
                    try (InputStream signed = Files.newInputStream(jar.file());
                            InputStream sig = Files.newInputStream(signatureFile)) {
                        return t.verify(paths, jar.trustName(), "bundle " + jar.file(), signed, sig);
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
        return signer.key().fingerprint() + " (" + signer.key().userId() + "), trusted for " + signer.scope();
    }
}
