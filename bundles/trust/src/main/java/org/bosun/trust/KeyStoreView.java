package org.bosun.trust;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.bosun.api.BosunException;
import org.bosun.api.RuntimePaths;
import org.bosun.api.trust.OpenPgpKey;
import org.bosun.api.trust.TrustScope;
import org.bosun.api.trust.TrustedKey;
import org.bosun.api.trust.TrustedKey.Origin;
import org.bouncycastle.openpgp.PGPPublicKeyRing;

/**
 * The keys one configuration trusts: the system directory overlaid by the local one, file by file
 * (same scope, same fingerprint); an empty local file withdraws the system file's trust.
 */
final class KeyStoreView {
    /** A trusted key with its parsed ring, for verification. */
    record Key(TrustedKey trusted, PGPPublicKeyRing ring) {
    }

    final TrustedKeysDirectory local;
    final TrustedKeysDirectory system;

    KeyStoreView(RuntimePaths paths) {
        this.local = new TrustedKeysDirectory(paths.localConfigDir(), Origin.LOCAL);
        this.system = new TrustedKeysDirectory(paths.systemConfigDir(), Origin.SYSTEM);
    }

    /** Every trusted key, by scope (root first), then fingerprint. */
    List<Key> all() {
        return load(overlay(system.all(), local.all()));
    }

    /** The trusted keys whose scopes cover {@code imageName}. */
    List<Key> covering(String imageName) {
        return load(overlay(system.covering(imageName), local.covering(imageName)));
    }

    /** The entry in effect for a scope and fingerprint, empty ones included; null if neither directory has one. */
    TrustedKeysDirectory.Entry effective(TrustScope scope, String fileName) {
        TrustedKeysDirectory.Entry found = null;
        for (TrustedKeysDirectory dir : List.of(system, local)) {
            java.nio.file.Path f = dir.file(scope, fileName);
            if (Files.isRegularFile(f)) {
                try {
                    found = new TrustedKeysDirectory.Entry(scope, fileName, f, dir.origin(), Files.size(f) == 0);
                } catch (IOException e) {
                    throw BosunException.precondition("cannot read the trusted key " + f + " (" + e.getMessage() + ")");
                }
            }
        }
        return found;
    }

    private static List<TrustedKeysDirectory.Entry> overlay(List<TrustedKeysDirectory.Entry> system,
            List<TrustedKeysDirectory.Entry> local) {
        Map<String, TrustedKeysDirectory.Entry> bySlot = new LinkedHashMap<>();
        system.forEach(e -> bySlot.put(e.slot(), e));
        local.forEach(e -> bySlot.put(e.slot(), e));
        List<TrustedKeysDirectory.Entry> effective = new ArrayList<>();
        for (TrustedKeysDirectory.Entry e : bySlot.values()) {
            if (!e.empty()) {
                effective.add(e);
            }
        }
        effective.sort(Comparator.comparing((TrustedKeysDirectory.Entry e) -> e.scope().isRoot() ? "" : e.scope().prefix())
                .thenComparing(TrustedKeysDirectory.Entry::fileName));
        return effective;
    }

    private static List<Key> load(List<TrustedKeysDirectory.Entry> entries) {
        List<Key> keys = new ArrayList<>();
        for (TrustedKeysDirectory.Entry e : entries) {
            keys.add(read(e));
        }
        return keys;
    }

    /** Reads a key file; it must hold exactly the key its name says. */
    static Key read(TrustedKeysDirectory.Entry e) {
        byte[] data;
        try {
            data = Files.readAllBytes(e.file());
        } catch (IOException ex) {
            throw BosunException.precondition("cannot read the trusted key " + e.file() + " (" + ex.getMessage() + ")");
        }
        List<PGPPublicKeyRing> rings;
        try {
            rings = KeyRings.read(data, "trusted key file " + e.file());
        } catch (BosunException bad) {
            throw BosunException.precondition(bad.getMessage() + "; remove the file or trust the key again");
        }
        PGPPublicKeyRing ring = rings.get(0);
        OpenPgpKey key = KeyRings.describe(ring);
        if (rings.size() != 1 || !Fingerprints.fileName(key.fingerprint()).equals(e.fileName())) {
            throw BosunException.precondition("trusted key file " + e.file() + " does not hold exactly the key its name"
                    + " says (it holds " + key.fingerprint() + (rings.size() > 1 ? " and more" : "")
                    + "); remove the file and trust the key again with bosun trust");
        }
        return new Key(new TrustedKey(key, e.scope(), e.origin(), e.file()), ring);
    }
}
