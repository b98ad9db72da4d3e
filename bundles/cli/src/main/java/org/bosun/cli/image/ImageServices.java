package org.bosun.cli.image;

import java.util.function.Function;

import org.bosun.api.BosunException;
import org.bosun.api.image.ImageFormat;
import org.bosun.api.image.ImageProviders;
import org.bosun.api.image.ImageReference;
import org.bosun.api.image.ImageStore;
import org.bosun.api.image.StoredImage;
import org.bosun.cli.Session;

/**
 * The image store and formats for one command ({@link ImageProviders} on the session's registry), and
 * how image commands name and show images.
 */
public final class ImageServices {
    private final Session session;

    public ImageServices(Session session) {
        this.session = session;
    }

    public <R> R withStore(Function<ImageStore, R> operation) {
        return ImageProviders.withStore(session.registry(), operation);
    }

    /** The format that reads {@code reference}: by scheme, and for files by extension. */
    public <R> R withFormatFor(ImageReference reference, Function<ImageFormat, R> operation) {
        return ImageProviders.withFormatReading(session.registry(), reference.scheme(), reference.location(), operation);
    }

    /** The format that stored {@code image}, which renders it. */
    public <R> R withFormatOf(StoredImage image, Function<ImageFormat, R> operation) {
        return ImageProviders.withFormatNamed(session.registry(), image.format(), operation);
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
