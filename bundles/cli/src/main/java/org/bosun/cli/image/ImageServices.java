package org.bosun.cli.image;

import java.util.function.Function;

import org.bosun.api.BosunException;
import org.bosun.api.image.ImageFormat;
import org.bosun.api.image.ImageReference;
import org.bosun.api.image.ImageStore;
import org.bosun.api.image.StoredImage;
import org.bosun.api.provider.ProviderFilter;
import org.bosun.api.provider.ProviderKind;
import org.bosun.cli.Session;

/**
 * The image store and formats for one command, found in the provider registry by their service
 * properties and let go when the operation ends, so their bundles can be updated between commands.
 */
public final class ImageServices {
    private final Session session;

    public ImageServices(Session session) {
        this.session = session;
    }

    public <R> R withStore(Function<ImageStore, R> operation) {
        return session.provider(ProviderKind.IMAGE_STORE, null)
                .orElseThrow(() -> BosunException.unavailable("the image store (bundle org.bosun.store) is not installed"))
                .use(operation);
    }

    /** The format that reads {@code reference}: by scheme, and for files by extension. */
    public <R> R withFormatFor(ImageReference reference, Function<ImageFormat, R> operation) {
        String scheme = reference.scheme();
        return session.provider(ProviderKind.IMAGE_FORMAT, ProviderFilter.readingImage(scheme, reference.location()))
                .orElseThrow(() -> BosunException.unavailable("no installed image format reads "
                        + (scheme.equals("file") ? "image file " + reference.location()
                                : "image references of scheme '" + scheme + "'")
                        + "; install the bundle of that format (see 'bosun version' for the installed ones)"))
                .use(operation);
    }

    /** The format that stored {@code image}, which renders it. */
    public <R> R withFormatOf(StoredImage image, Function<ImageFormat, R> operation) {
        return session.provider(ProviderKind.IMAGE_FORMAT, ProviderKind.IMAGE_FORMAT.named(image.format()))
                .orElseThrow(() -> BosunException.unavailable("image " + image.id() + " was stored by the image"
                        + " format '" + image.format() + "', which is not installed; install its bundle to render"
                        + " the image"))
                .use(operation);
    }

    /** The stored image a user named, or NOT_FOUND naming it. */
    static StoredImage find(ImageStore store, Session session, String idOrName) {
        return store.find(session.paths(), idOrName).orElseThrow(() -> BosunException.notFound("image " + idOrName
                + " is not in the store; see bosun image list"));
    }

    /** An image id as lists show it: the algorithm and the first 32 hex digits, as rkt did. */
    public static String shortId(String id) {
        int sep = id.indexOf(id.startsWith("sha512") ? '-' : ':');
        return sep > 0 && id.length() > sep + 33 ? id.substring(0, sep + 33) : id;
    }
}
