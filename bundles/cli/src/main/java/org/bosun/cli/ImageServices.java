package org.bosun.cli;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Function;

import org.bosun.api.BosunException;
import org.bosun.api.image.ImageFormat;
import org.bosun.api.image.ImageReference;
import org.bosun.api.image.ImageStore;
import org.bosun.api.image.StoredImage;
import org.bosun.api.pod.AppInfo;
import org.bosun.api.pod.PodInfo;
import org.bosun.api.pod.PodState;
import org.bosun.api.provider.ProviderFilter;
import org.bosun.api.provider.ProviderKind;

/**
 * The image store and formats for one command, found in the provider registry by their service
 * properties and let go when the operation ends, so their bundles can be updated between commands.
 */
final class ImageServices {
    private final Session session;

    ImageServices(Session session) {
        this.session = session;
    }

    <R> R withStore(Function<ImageStore, R> operation) {
        return session.provider(ProviderKind.IMAGE_STORE, null)
                .orElseThrow(() -> BosunException.unavailable("the image store (bundle org.bosun.store) is not installed"))
                .use(operation);
    }

    /** The format that reads {@code reference}: by scheme, and for files by extension. */
    <R> R withFormatFor(ImageReference reference, Function<ImageFormat, R> operation) {
        String scheme = reference.scheme();
        return session.provider(ProviderKind.IMAGE_FORMAT, ProviderFilter.readingImage(scheme, reference.location()))
                .orElseThrow(() -> BosunException.unavailable("no installed image format reads "
                        + (scheme.equals("file") ? "image file " + reference.location()
                                : "image references of scheme '" + scheme + "'")
                        + "; install the bundle of that format (see 'bosun version' for the installed ones)"))
                .use(operation);
    }

    /** The format that stored {@code image}, which renders it. */
    <R> R withFormatOf(StoredImage image, Function<ImageFormat, R> operation) {
        return session.provider(ProviderKind.IMAGE_FORMAT, ProviderKind.IMAGE_FORMAT.named(image.format()))
                .orElseThrow(() -> BosunException.unavailable("image " + image.id() + " was stored by the image"
                        + " format '" + image.format() + "', which is not installed; install its bundle to render"
                        + " the image"))
                .use(operation);
    }

    /** Images that prepared, preparing and running pods use: image rm and gc keep them. */
    Set<String> imagesInUse() {
        Set<String> ids = new HashSet<>();
        for (PodInfo pod : session.pods().list(session.paths())) {
            if (pod.state() == PodState.PREPARED || pod.state() == PodState.PREPARING || pod.state() == PodState.RUNNING
                    || pod.state() == PodState.EMBRYO) {
                for (AppInfo app : pod.apps()) {
                    if (app.imageId() != null) {
                        ids.add(app.imageId());
                    }
                }
            }
        }
        return ids;
    }

    /** An image id as lists show it: the algorithm and the first 32 hex digits, as rkt did. */
    static String shortId(String id) {
        int sep = id.indexOf(id.startsWith("sha512") ? '-' : ':');
        return sep > 0 && id.length() > sep + 33 ? id.substring(0, sep + 33) : id;
    }

    static Path absolute(Session session, String path) {
        return session.resolve(path);
    }
}
