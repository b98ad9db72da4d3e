package org.bosun.trust;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import org.bosun.api.BosunException;
import org.bosun.api.RuntimePaths;
import org.bosun.api.trust.OpenPgpKey;
import org.bosun.api.trust.SignedMessage;
import org.bosun.api.trust.Signer;
import org.bosun.api.trust.TrustScope;
import org.bosun.api.trust.TrustStore;
import org.bosun.api.trust.TrustedKey;
import org.bosun.api.trust.TrustedKey.Origin;
import org.bouncycastle.openpgp.PGPPublicKeyRing;
import org.osgi.service.component.annotations.Component;

/**
 * The trust store on BouncyCastle's lightweight OpenPGP API (no JCA provider is registered, so
 * nothing global changes in the JVM). It keeps no state: every call reads the directories it is
 * given, so concurrent commands with different configurations share nothing.
 */
@Component(service = TrustStore.class)
public final class OpenPgpTrustStore implements TrustStore {
    /** Image names as the formats give them: ACIdentifiers, plus ':' for a registry port. */
    private static final Pattern IMAGE_NAME = Pattern.compile("[a-z0-9]+([-._~/:][a-z0-9]+)*");

    @Override
    public List<OpenPgpKey> read(byte[] keyFile) {
        List<OpenPgpKey> keys = new ArrayList<>();
        for (PGPPublicKeyRing ring : KeyRings.read(keyFile, "the key file")) {
            keys.add(KeyRings.describe(ring));
        }
        return keys;
    }

    @Override
    public List<TrustedKey> trust(RuntimePaths paths, TrustScope scope, byte[] keyFile) {
        List<PGPPublicKeyRing> rings = KeyRings.read(keyFile, "the key file");
        List<OpenPgpKey> keys = new ArrayList<>();
        for (PGPPublicKeyRing ring : rings) {
            OpenPgpKey key = KeyRings.describe(ring);
            KeyRings.checkUsable(key, "the key file");
            keys.add(key);
        }
        TrustedKeysDirectory local = new KeyStoreView(paths).local;
        List<TrustedKey> stored = new ArrayList<>();
        for (int i = 0; i < rings.size(); i++) {
            OpenPgpKey key = keys.get(i);
            var file = local.write(scope, Fingerprints.fileName(key.fingerprint()), KeyRings.armored(rings.get(i)));
            stored.add(new TrustedKey(key, scope, Origin.LOCAL, file));
        }
        return stored;
    }

    @Override
    public List<TrustedKey> list(RuntimePaths paths) {
        List<TrustedKey> keys = new ArrayList<>();
        new KeyStoreView(paths).all().forEach(k -> keys.add(k.trusted()));
        return keys;
    }

    @Override
    public TrustedKey remove(RuntimePaths paths, TrustScope scope, String fingerprint) {
        String fileName = Fingerprints.fileName(Fingerprints.parse(fingerprint));
        KeyStoreView view = new KeyStoreView(paths);
        TrustedKeysDirectory.Entry effective = view.effective(scope, fileName);
        if (effective == null || effective.empty()) {
            throw BosunException.notFound("key " + Fingerprints.parse(fingerprint) + " is not trusted for " + scope
                    + "; 'bosun trust --list' shows the trusted keys and their scopes");
        }
        TrustedKey removed = KeyStoreView.read(effective).trusted();
        if (effective.origin() == Origin.LOCAL) {
            view.local.delete(effective);
        }
        TrustedKeysDirectory.Entry left = view.effective(scope, fileName);
        if (left != null && !left.empty()) {
            // A system key: only an empty local file in its place withdraws its trust.
            view.local.write(scope, fileName, new byte[0]);
        }
        return removed;
    }

    @Override
    public Signer verify(RuntimePaths paths, String imageName, String subject, InputStream signed, InputStream signature) {
        if (imageName == null || !IMAGE_NAME.matcher(imageName).matches()) {
            throw BosunException.invalid(subject + " has the name '" + imageName
                    + "', which no key can be trusted for; image names use lower case letters, digits and -._~/:");
        }
        DetachedSignature sig = DetachedSignature.read(subject, signature);
        KeyStoreView view = new KeyStoreView(paths);
        List<KeyStoreView.Key> trusted = view.covering(imageName);
        return sig.verify(imageName, trusted, view::all, signed);
    }

    @Override
    public SignedMessage verifyMessage(RuntimePaths paths, String imageName, String subject, InputStream message,
            int maxPayload) {
        if (imageName == null || !IMAGE_NAME.matcher(imageName).matches()) {
            throw BosunException.invalid(subject + " is for the name '" + imageName
                    + "', which no key can be trusted for; image names use lower case letters, digits and -._~/:");
        }
        SignedMessageReader read = SignedMessageReader.read(subject, message, maxPayload);
        KeyStoreView view = new KeyStoreView(paths);
        Signer signer = DetachedSignature.of(subject, read.signatures)
                .verify(imageName, view.covering(imageName), view::all, new ByteArrayInputStream(read.payload));
        return new SignedMessage(read.payload, signer);
    }
}
