package org.bosun.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Supplier;

import org.bosun.api.BosunException;
import org.bosun.api.image.ImagePin;
import org.bosun.api.image.StoredImage;
import org.bosun.host.lock.Flock;

/**
 * The pins of pods being prepared ({@link ImagePin}): one file per pin in {@code cas/pins/}, which
 * its process holds flocked and lists the ids of the images it holds in, one a line. A pin that can
 * be locked is its dead process's leftover and holds nothing.
 *
 * <p>A pin file is made, written and read only under the gc lock: made and written holding it
 * shared, read by gc and rm holding it exclusively. So gc never sees a pin half-made or an id half-
 * written, and an image chosen under the shared lock is listed before gc can look for it.
 */
final class PinnedImages {
    private final StoreLayout layout;

    PinnedImages(StoreLayout layout) {
        this.layout = layout;
    }

    /** A new pin of this process. */
    ImagePin pin() {
        try (Flock gc = Flock.shared(layout.gcLock())) {
            Files.createDirectories(layout.pins());
            Path file = Files.createTempFile(layout.pins(), "pin-", "");
            return new Pin(file, Flock.own(file));
        } catch (IOException e) {
            throw BosunException.internal("cannot pin images in " + layout.pins() + ": " + e.getMessage(), e);
        }
    }

    /**
     * The ids that live pins hold; removes the pins of dead processes. The caller holds the gc
     * lock exclusively.
     */
    Set<String> held() {
        Set<String> ids = new HashSet<>();
        try (DirectoryStream<Path> pins = Files.newDirectoryStream(layout.pins())) {
            for (Path pin : pins) {
                Flock probe = Flock.tryExclusive(pin);
                if (probe != null) {
                    try (probe) {
                        Files.deleteIfExists(pin);
                    }
                    continue;
                }
                try {
                    Files.readAllLines(pin, StandardCharsets.UTF_8).stream().filter(l -> !l.isEmpty()).forEach(ids::add);
                } catch (NoSuchFileException closed) {
                    // let go meanwhile: it holds nothing any more
                }
            }
        } catch (NoSuchFileException e) {
            return ids;
        } catch (IOException e) {
            throw BosunException.internal("cannot read the image pins in " + layout.pins() + ": " + e.getMessage(), e);
        }
        return ids;
    }

    private final class Pin implements ImagePin {
        private final Path file;
        private final Flock lock;
        private boolean closed;

        Pin(Path file, Flock lock) {
            this.file = file;
            this.lock = lock;
        }

        @Override
        public synchronized StoredImage hold(Supplier<StoredImage> choice) {
            if (closed) {
                throw BosunException.internal("the image pin " + file + " is already closed", null);
            }
            try (Flock gc = Flock.shared(layout.gcLock())) {
                StoredImage image = choice.get();
                Files.writeString(file, image.id() + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
                return image;
            } catch (IOException e) {
                throw BosunException.internal("cannot pin an image in " + file + ": " + e.getMessage(), e);
            }
        }

        @Override
        public synchronized void close() {
            if (closed) {
                return;
            }
            closed = true;
            try {
                // Removed while still locked: gc never takes a let-go pin for a dead one, nor the reverse.
                Files.deleteIfExists(file);
            } catch (IOException e) {
                // an unlocked pin holds nothing: gc removes it
            } finally {
                lock.close();
            }
        }
    }
}
