package org.bosun.api.image;

import java.util.List;

/**
 * What {@link ImageStore#gc} removed.
 *
 * @param images ids of images removed
 * @param trees trees removed
 * @param blobs blobs removed
 * @param leftovers temporary files of killed fetches or renders removed
 * @param bytesFreed bytes freed
 */
public record ImageGcReport(List<String> images, int trees, int blobs, int leftovers, long bytesFreed) {
    public ImageGcReport {
        images = List.copyOf(images);
    }
}
