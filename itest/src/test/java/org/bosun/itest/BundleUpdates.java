package org.bosun.itest;

import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.Version;
import org.osgi.framework.wiring.FrameworkWiring;

/** Updating a bundle of the platform to a new version while it runs, as an operator would. */
final class BundleUpdates {
    private BundleUpdates() {
    }

    /** The installed bundle {@code bsn}. */
    static Bundle installed(BundleContext context, String bsn) {
        for (Bundle b : context.getBundles()) {
            if (bsn.equals(b.getSymbolicName())) {
                return b;
            }
        }
        throw new AssertionError(bsn + " is not installed");
    }

    /** The bundle's own jar with its Bundle-Version replaced. */
    static byte[] withVersion(Bundle bundle, Version version) throws IOException {
        return withVersion(bundle, version, null, null);
    }

    /** The bundle's own jar with its Bundle-Version replaced and the text of its entry {@code name} edited. */
    static byte[] withVersion(Bundle bundle, Version version, String name, UnaryOperator<String> edit)
            throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (InputStream in = new URL(bundle.getLocation()).openStream();
                JarInputStream jar = new JarInputStream(in, false)) {
            Manifest manifest = jar.getManifest();
            assertNotNull(bundle.getLocation() + " has a manifest", manifest);
            manifest.getMainAttributes().put(new Attributes.Name(Constants.BUNDLE_VERSION), version.toString());
            try (JarOutputStream out = new JarOutputStream(bytes, manifest)) {
                JarEntry entry;
                while ((entry = jar.getNextJarEntry()) != null) {
                    out.putNextEntry(new JarEntry(entry.getName()));
                    if (entry.getName().equals(name)) {
                        String text = new String(jar.readAllBytes(), StandardCharsets.UTF_8);
                        out.write(edit.apply(text).getBytes(StandardCharsets.UTF_8));
                    } else {
                        jar.transferTo(out);
                    }
                    out.closeEntry();
                }
            }
        }
        return bytes.toByteArray();
    }

    /** Refreshes the updated bundle so that its old revision goes away, and waits for that. */
    static void refresh(BundleContext context, Bundle bundle) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        context.getBundle(Constants.SYSTEM_BUNDLE_LOCATION).adapt(FrameworkWiring.class)
                .refreshBundles(List.of(bundle), event -> {
                    if (event.getType() == FrameworkEvent.PACKAGES_REFRESHED || event.getType() == FrameworkEvent.ERROR) {
                        done.countDown();
                    }
                });
        assertTrue("refreshing " + bundle.getSymbolicName() + " finished", done.await(30, TimeUnit.SECONDS));
    }
}
