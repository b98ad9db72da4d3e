package org.bosun.core;

import java.util.Optional;
import java.util.regex.Pattern;

import org.bosun.api.BosunException;
import org.bosun.api.RuntimePaths;
import org.bosun.api.image.ImageReference;
import org.bosun.api.image.ImageStore;
import org.bosun.api.image.StoredImage;

/**
 * What rkt did before asking any fetcher: an image named by its id, or by a name that is in the
 * store, is the stored image. Only references without an explicit scheme or path (those that would
 * otherwise go to appc discovery) are looked up here; files, URLs and {@code docker://} references
 * go to their format, which knows how its own sources are kept in the store.
 *
 * <ul>
 * <li>An image id ({@code sha512-…}, {@code sha256:…}) or a unique prefix of one always names a
 * stored image, whatever the pull policy: ids cannot be discovered or downloaded.</li>
 * <li>A name ({@code example.com/app}, {@code example.com/app:1.0} with the appc version label or
 * a docker tag) is taken from the store with pull policy {@code new} and {@code never}; with
 * {@code update} it is discovered again.</li>
 * </ul>
 */
final class StoredImageLookup {
    /** {@code sha512-HEX} or {@code sha256:HEX} / {@code sha256-HEX}, whole or a prefix. */
    private static final Pattern IMAGE_ID = Pattern.compile("(sha512-|sha256[:-])[0-9a-f]+");

    private StoredImageLookup() {
    }

    /** The stored image {@code reference} names, or empty when its format must fetch it. */
    static Optional<StoredImage> find(ImageStore store, RuntimePaths paths, ImageReference reference, String pullPolicy) {
        String image = reference.original();
        if (isImageId(image)) {
            return Optional.of(store.find(paths, image).orElseThrow(() -> BosunException.notFound("image " + image
                    + " is not in the store; an image id names a stored image only (see bosun image list),"
                    + " fetch the image by its name, file or URL")));
        }
        if (!"appc".equals(reference.scheme()) || "update".equals(pullPolicy)) {
            return Optional.empty();
        }
        return store.find(paths, image);
    }

    static boolean isImageId(String image) {
        return IMAGE_ID.matcher(image).matches();
    }
}
