package org.bosun.image.oci.layers;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;

import org.bosun.api.BosunException;
import org.bosun.api.RuntimePaths;
import org.bosun.api.image.BlobWriter;
import org.bosun.api.image.ImageStore;
import org.bosun.api.image.Progress;
import org.bosun.host.archive.PassingStream;
import org.bosun.image.oci.model.Digests;

/**
 * The blobs of one image being fetched: each written into the store as it arrives, its digest
 * computed and, for a layer, every entry checked ({@link LayerCheck}) in the same pass; committed
 * only all together, once every blob is in and none was refused. Closed without {@link #commit()},
 * nothing of the image is left in the store (the store's gc collects what a killed fetch leaves).
 * Blobs the store holds already are neither read nor written again. The layers of an image can be
 * staged several at a time ({@link #addLayers}): each on its own thread, in the same single pass.
 */
public final class StagedBlobs implements AutoCloseable {
    /**
     * How many layers {@link #addLayers} stages at once: containerd's and podman's default number of
     * concurrent downloads. On two cores the digests and the checks of two layers already fill the CPU.
     */
    public static final int PARALLEL_LAYERS = 3;
    private static final AtomicInteger THREADS = new AtomicInteger();
    private final ImageStore store;
    private final RuntimePaths paths;
    private final LayerCheck layers;
    private final Map<String, BlobWriter> staged = new LinkedHashMap<>();

    /** @param subject how messages name the image ({@code image docker://host/x:1}) */
    public StagedBlobs(ImageStore store, RuntimePaths paths, String subject) {
        this.store = store;
        this.paths = paths;
        this.layers = new LayerCheck(subject);
    }

    /** Whether the store or this stage holds {@code digest} already. */
    public boolean has(String digest) {
        synchronized (staged) {
            if (staged.containsKey(digest)) {
                return true;
            }
        }
        return store.blob(paths, digest).isPresent();
    }

    /** Stages small bytes (a config) that must have {@code digest}; a refusal names {@code what}. */
    public void add(String digest, byte[] bytes, String what) {
        if (has(digest)) {
            return;
        }
        try {
            stage(digest, new ByteArrayInputStream(bytes), Progress.NONE.task(digest, bytes.length), what, null);
        } catch (IOException e) {
            throw new IllegalStateException("bytes in memory cannot fail to be read", e);
        }
    }

    /**
     * Stages the layer {@code digest} read from {@code in} to its end, checking every entry as its
     * bytes go by. An {@link IOException} is the source's (a download that broke off).
     */
    public void addLayer(String digest, InputStream in, Progress.Task task, String what) throws IOException {
        if (has(digest)) {
            return;
        }
        stage(digest, in, task, what, digest);
    }

    private void stage(String digest, InputStream in, Progress.Task task, String what, String layer) throws IOException {
        Digests.check(digest, what);
        BlobWriter writer = store.newBlob(paths);
        try {
            MessageDigest sha256 = Digests.newSha256();
            PassingStream passing = new PassingStream(in, new DigestOutputStream(writer.stream(), sha256), task::advance);
            if (layer != null) {
                layers.check(layer, passing);
            } else {
                passing.transferTo(OutputStream.nullOutputStream());
            }
            String actual = "sha256:" + HexFormat.of().formatHex(sha256.digest());
            if (!actual.equals(digest)) {
                throw BosunException.invalid(what + ": blob content does not match its digest: expected " + digest
                        + ", got " + actual + " (" + passing.count() + " bytes); the source is corrupt or was tampered with");
            }
            synchronized (staged) {
                staged.put(digest, writer);
            }
        } catch (IOException | RuntimeException e) {
            writer.close();
            throw e;
        }
    }

    /** Where one layer's bytes come from: opened when its turn comes, on the thread that stages it. */
    @FunctionalInterface
    public interface LayerSource {
        InputStream open() throws IOException;
    }

    /**
     * One layer to stage: the digest and size its descriptor gives, how messages name it
     * ({@code layer sha256:… of image docker://…}), and its bytes.
     */
    public record Layer(String digest, long size, String what, LayerSource source) {
    }

    /**
     * Stages every layer of {@code layers} that is not held yet, as {@link #addLayer} does, up to
     * {@code parallel} at a time, started bottom first, each with a progress task of its own. When
     * one fails, those in flight are stopped (their sources closed, their threads interrupted) and
     * none is started any more; the failure that came first is thrown once every layer has stopped,
     * so nothing writes to the stage after this returns. A source's {@link IOException} (a download
     * that broke off, a file that cannot be read) is thrown as {@code sourceFailure} makes it; a
     * refusal of the content as {@link #addLayer} throws it.
     */
    public void addLayers(List<Layer> layers, Progress progress, int parallel,
            BiFunction<Layer, IOException, BosunException> sourceFailure) {
        Set<String> seen = new LinkedHashSet<>();
        List<Layer> wanted = new ArrayList<>();
        for (Layer layer : layers) {
            if (seen.add(layer.digest()) && !has(layer.digest())) {
                wanted.add(layer);
            }
        }
        if (wanted.size() <= 1 || parallel <= 1) {
            for (Layer layer : wanted) {
                stageOne(layer, progress, sourceFailure, null);
            }
            return;
        }
        InFlight flight = new InFlight();
        ExecutorService threads = Executors.newFixedThreadPool(Math.min(parallel, wanted.size()), r -> {
            Thread t = new Thread(r, "bosun-layer-" + THREADS.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<?>> started = new ArrayList<>();
            for (Layer layer : wanted) {
                started.add(threads.submit(() -> {
                    if (flight.failed.get() != null) {
                        return;
                    }
                    try {
                        stageOne(layer, progress, sourceFailure, flight);
                    } catch (RuntimeException e) {
                        flight.fail(e);
                    }
                }));
            }
            for (Future<?> f : started) {
                try {
                    f.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    flight.fail(e.getCause() instanceof RuntimeException r ? r
                            : BosunException.internal("staging a layer failed", e.getCause()));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    flight.fail(BosunException.unavailable("interrupted while fetching " + layers.get(0).what()));
                    break;
                }
            }
        } finally {
            threads.shutdownNow();
            try {
                if (!threads.awaitTermination(60, TimeUnit.SECONDS)) {
                    flight.fail(BosunException.internal("a layer's download did not stop within 60 s of being cancelled",
                            null));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        RuntimeException first = flight.failed.get();
        if (first != null) {
            throw first;
        }
    }

    private void stageOne(Layer layer, Progress progress, BiFunction<Layer, IOException, BosunException> sourceFailure,
            InFlight flight) {
        try (Progress.Task task = progress.task(layer.digest().substring(7, Math.min(19, layer.digest().length())),
                layer.size()); InputStream in = layer.source().open()) {
            if (flight != null && !flight.open(in)) {
                return;
            }
            try {
                addLayer(layer.digest(), in, task, layer.what());
            } finally {
                if (flight != null) {
                    flight.done(in);
                }
            }
        } catch (IOException e) {
            if (flight == null || flight.failed.get() == null) {
                throw sourceFailure.apply(layer, e);
            }
        }
    }

    /** The sources being read by {@link #addLayers}, and its first failure, which closes them all. */
    private static final class InFlight {
        final AtomicReference<RuntimeException> failed = new AtomicReference<>();
        private final Set<InputStream> open = ConcurrentHashMap.newKeySet();

        /** Registers a source being read; false (and closes it) when a failure came first. */
        boolean open(InputStream in) {
            open.add(in);
            if (failed.get() != null) {
                open.remove(in);
                return false;
            }
            return true;
        }

        void done(InputStream in) {
            open.remove(in);
        }

        /** Records {@code e} if it is the first failure, then stops the other sources. */
        void fail(RuntimeException e) {
            if (failed.compareAndSet(null, e)) {
                for (InputStream in : open) {
                    try {
                        in.close();
                    } catch (IOException | RuntimeException ignored) {
                        // stopping it is all that matters; its reader sees the failure
                    }
                }
            }
        }
    }

    /** Makes every staged blob visible in the store. */
    public void commit() {
        List<String> digests;
        synchronized (staged) {
            digests = new ArrayList<>(staged.keySet());
        }
        for (String digest : digests) {
            BlobWriter removed;
            synchronized (staged) {
                removed = staged.remove(digest);
            }
            try (BlobWriter writer = removed) {
                writer.commit(digest, "sha256");
            }
        }
    }

    /** Discards what was not committed. */
    @Override
    public void close() {
        synchronized (staged) {
            staged.values().forEach(BlobWriter::close);
            staged.clear();
        }
    }
}
