package org.bosun.store;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Set;

import org.bosun.api.BosunException;
import org.bosun.api.image.StoredImage;

/**
 * When pods last used each image: the modification time of an empty file per image,
 * {@code cas/used/<algorithm>-<hex>}. Marking an image used is one {@code utimensat(2)} on every
 * {@code run}, where a write to the index would cost a commit and a sync.
 *
 * <p>Nothing here is synced: after a crash a mark may lose its last update, and the image then
 * looks as unused as it was before, so gc may collect it somewhat earlier. That never removes an
 * image a pod needs: gc keeps the images of prepared and running pods because those pods name
 * them ({@code inUse}), whatever the time says.
 */
final class UsageMarks {
    private final Path dir;

    UsageMarks(Path dir) {
        this.dir = dir;
    }

    /** Marks the image used now. */
    void touch(String imageId) {
        Path mark = mark(imageId);
        FileTime now = FileTime.from(Instant.now());
        try {
            try {
                Files.setLastModifiedTime(mark, now);
            } catch (NoSuchFileException first) {
                Files.createDirectories(dir);
                try {
                    Files.createFile(mark);
                } catch (java.nio.file.FileAlreadyExistsException raced) {
                    // another pod marked it at the same moment
                }
                Files.setLastModifiedTime(mark, now);
            }
        } catch (IOException e) {
            throw BosunException.internal("cannot mark image " + imageId + " as used in " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The image with its last use the later of the index's and the mark's. */
    StoredImage apply(StoredImage image) {
        Instant marked = lastUsed(image.id());
        if (marked == null || (image.lastUsed() != null && !marked.isAfter(image.lastUsed()))) {
            return image;
        }
        return new StoredImage(image.id(), image.name(), image.format(), image.references(), image.manifest(),
                image.blobs(), image.dependencies(), image.metadata(), image.importTime(), marked, image.size());
    }

    private Instant lastUsed(String imageId) {
        try {
            return Files.getLastModifiedTime(mark(imageId)).toInstant();
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw BosunException.internal("cannot read " + mark(imageId) + ": " + e.getMessage(), e);
        }
    }

    /** Removes the marks of images that are not in {@code imageIds}; returns how many. */
    int retainOnly(Set<String> imageIds) {
        Set<Path> wanted = new java.util.HashSet<>();
        imageIds.forEach(id -> wanted.add(mark(id)));
        int removed = 0;
        try (DirectoryStream<Path> marks = Files.newDirectoryStream(dir)) {
            for (Path mark : marks) {
                if (!wanted.contains(mark)) {
                    Files.deleteIfExists(mark);
                    removed++;
                }
            }
        } catch (NoSuchFileException e) {
            return 0;
        } catch (IOException e) {
            throw BosunException.internal("cannot remove the use marks of removed images in " + dir + ": "
                    + e.getMessage(), e);
        }
        return removed;
    }

    private Path mark(String imageId) {
        Digests.Digest d = Digests.parse(imageId);
        return dir.resolve(d.algorithm() + "-" + d.hex());
    }
}
