package org.bosun.api.image;

import java.util.List;
import java.util.Optional;

import org.bosun.api.RuntimePaths;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The content-addressed store of fetched images and their rendered trees. Formats write into it;
 * pods read rendered trees from it. Every operation is safe against concurrent callers.
 */
@ProviderType
public interface ImageStore {

    /** Every image in the index. */
    List<StoredImage> list(RuntimePaths paths);

    /** An image by id, id prefix or name. */
    Optional<StoredImage> find(RuntimePaths paths, String idOrName);

    /** Removes an image that no prepared or running pod uses. */
    void remove(RuntimePaths paths, String id);
}
