package org.bosun.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.bosun.api.BosunException;
import org.bosun.api.pod.PodState;

/**
 * The {@code pods/} tree of one data directory: one sub-directory per state, one directory per pod.
 * Every state change is a rename(2) between them.
 */
final class PodStore {
    private static final Pattern UUID_PREFIX = Pattern.compile("[0-9a-f-]{1,36}");

    /** The state directories, in the order a pod passes through them. */
    enum Dir {
        EMBRYO("embryo"), PREPARE("prepare"), PREPARED("prepared"), RUN("run"),
        EXITED_GARBAGE("exited-garbage"), GARBAGE("garbage");

        final String dirName;

        Dir(String dirName) {
            this.dirName = dirName;
        }
    }

    /** A pod directory found on disk. */
    record Found(String uuid, Dir dir, Path path) {
    }

    private final Path podsDir;
    PodStore(Path podsDir) {
        this.podsDir = podsDir;
    }

    Path dir(Dir d) {
        return podsDir.resolve(d.dirName);
    }

    Path path(Dir d, String uuid) {
        return dir(d).resolve(uuid);
    }

    void ensureLayout() {
        try {
            for (Dir d : Dir.values()) {
                Files.createDirectories(dir(d));
            }
        } catch (IOException e) {
            throw BosunException.internal("cannot create the pod directories under " + podsDir + ": " + e.getMessage(), e);
        }
    }

    /** Every pod directory in every state. */
    List<Found> all() {
        List<Found> found = new ArrayList<>();
        for (Dir d : Dir.values()) {
            try (Stream<Path> entries = Files.list(dir(d))) {
                entries.forEach(p -> found.add(new Found(p.getFileName().toString(), d, p)));
            } catch (NoSuchFileException e) {
                // no pods in this state yet
            } catch (IOException e) {
                throw BosunException.internal("cannot list " + dir(d) + ": " + e.getMessage(), e);
            }
        }
        return found;
    }

    /** The pod with this UUID or unique UUID prefix. */
    Found find(String uuidOrPrefix) {
        String prefix = uuidOrPrefix == null ? "" : uuidOrPrefix.trim().toLowerCase(java.util.Locale.ROOT);
        if (!UUID_PREFIX.matcher(prefix).matches()) {
            throw BosunException.invalid("'" + uuidOrPrefix + "' is not a pod UUID or UUID prefix");
        }
        List<Found> matches = new ArrayList<>();
        for (Found f : all()) {
            if (f.uuid().startsWith(prefix)) {
                if (f.uuid().equals(prefix)) {
                    return f;
                }
                matches.add(f);
            }
        }
        if (matches.isEmpty()) {
            throw BosunException.notFound("no pod with UUID " + prefix + " in " + podsDir + "; see 'bosun list'");
        }
        if (matches.size() > 1) {
            throw BosunException.invalid("UUID prefix " + prefix + " is ambiguous: it matches " + matches.size()
                    + " pods; give more characters");
        }
        return matches.get(0);
    }

    /** The pod's state: its directory, and for prepare/ and run/ whether its lock is held. */
    PodState state(Found f) {
        return switch (f.dir()) {
            case EMBRYO -> PodState.EMBRYO;
            case PREPARE -> PodLock.isHeld(f.path()) ? PodState.PREPARING : PodState.ABORTED_PREPARE;
            case PREPARED -> PodState.PREPARED;
            case RUN -> PodLock.isHeld(f.path()) ? PodState.RUNNING : PodState.EXITED;
            case EXITED_GARBAGE -> PodState.EXITED_GARBAGE;
            case GARBAGE -> PodState.GARBAGE;
        };
    }

    /** Moves a pod to another state directory; the caller holds its lock. */
    Path move(Found f, Dir to) {
        Path target = path(to, f.uuid());
        try {
            Files.move(f.path(), target, StandardCopyOption.ATOMIC_MOVE);
            return target;
        } catch (NoSuchFileException e) {
            throw BosunException.precondition("pod " + f.uuid() + " was moved by another command meanwhile; try again");
        } catch (IOException e) {
            throw BosunException.internal("cannot move pod " + f.uuid() + " to " + target + ": " + e.getMessage(), e);
        }
    }
}
