package org.bosun.api.image;

import java.util.function.Function;

import org.bosun.api.BosunException;
import org.bosun.api.provider.ProviderFilter;
import org.bosun.api.provider.ProviderKind;
import org.bosun.api.provider.ProviderRegistry;

/**
 * The image store and formats for one operation, found in the provider registry by their service
 * properties and let go when the operation ends (so their bundles can be updated between operations),
 * with the one message each absence gets wherever it is met (core, CLI, CRI server).
 *
 * @since 1.3
 */
public final class ImageProviders {
    private ImageProviders() {
    }

    /** Runs {@code operation} with the image store, UNAVAILABLE when none is installed. */
    public static <R> R withStore(ProviderRegistry providers, Function<ImageStore, R> operation) {
        return providers.best(ProviderKind.IMAGE_STORE, null)
                .orElseThrow(() -> BosunException.unavailable("the image store (bundle org.bosun.store) is not"
                        + " installed; images are fetched and rendered through it"))
                .use(operation);
    }

    /**
     * Runs {@code operation} with the format that reads references of {@code scheme} at {@code location}
     * (an {@link ImageReference}'s parts): by scheme, and for files by extension.
     */
    public static <R> R withFormatReading(ProviderRegistry providers, String scheme, String location,
            Function<ImageFormat, R> operation) {
        return providers.best(ProviderKind.IMAGE_FORMAT, ProviderFilter.readingImage(scheme, location))
                .orElseThrow(() -> BosunException.unavailable("no installed image format reads "
                        + ("file".equals(scheme) ? "image file " + location : "image references of scheme '" + scheme + "'")
                        + "; install the bundle of that format (see 'bosun version' for the installed ones)"))
                .use(operation);
    }

    /** Runs {@code operation} with the format called {@code name}: the one that stored an image renders it. */
    public static <R> R withFormatNamed(ProviderRegistry providers, String name, Function<ImageFormat, R> operation) {
        return providers.best(ProviderKind.IMAGE_FORMAT, ProviderKind.IMAGE_FORMAT.named(name))
                .orElseThrow(() -> BosunException.unavailable("image format '" + name + "' is not installed, and"
                        + " images it stored need it to be rendered; install its bundle (see 'bosun version')"))
                .use(operation);
    }
}
