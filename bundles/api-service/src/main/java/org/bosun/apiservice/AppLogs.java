package org.bosun.apiservice;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;

import org.bosun.api.BosunException;
import org.bosun.api.RuntimePaths;
import org.bosun.api.pod.PodInfo;
import org.bosun.api.pod.PodService;
import org.bosun.apiservice.v1alpha.GetLogsResponse;

import io.grpc.stub.ServerCallStreamObserver;

/**
 * The apps' logs as their engine keeps them ({@code apps/NAME/log}, rotated to {@code log.1}
 * (newest) ... {@code log.5}), as {@code bosun logs} reads them: oldest first, each line prefixed
 * {@code [NAME] } when several apps are read. Following polls the current file every 100 ms and
 * ends when the pod has exited (after its last output) or the client hangs up.
 */
final class AppLogs {
    static final String LOG = "log";
    static final int ROTATED = 5;
    static final long POLL_MILLIS = 100;
    /** Lines per response. */
    static final int BATCH = 500;

    private final PodService pods;
    private final RuntimePaths paths;
    private PodInfo pod;
    private final List<Tail> tails = new ArrayList<>();
    private final Integer lastLines;

    AppLogs(PodService pods, RuntimePaths paths, PodInfo pod, List<String> apps, Integer lastLines) {
        this.pods = pods;
        this.paths = paths;
        this.pod = pod;
        this.lastLines = lastLines;
        for (String app : apps) {
            tails.add(new Tail(app, apps.size() > 1 ? "[" + app + "] " : ""));
        }
    }

    void stream(ServerCallStreamObserver<GetLogsResponse> out, boolean follow) throws InterruptedException {
        List<String> lines = new ArrayList<>();
        for (Tail t : tails) {
            t.existing(pod.directory(), lines);
        }
        send(out, lines, true);
        while (follow && !pod.state().isFinished() && !out.isCancelled()) {
            Thread.sleep(POLL_MILLIS);
            try {
                pod = pods.status(paths, pod.uuid());
            } catch (BosunException gone) {
                break;
            }
            for (Tail t : tails) {
                t.added(pod.directory(), lines);
            }
            send(out, lines, false);
        }
        if (follow && !out.isCancelled()) {
            for (Tail t : tails) {
                t.added(pod.directory(), lines);
                t.rest(lines);
            }
            send(out, lines, false);
        }
        if (!out.isCancelled()) {
            out.onCompleted();
        }
    }

    private static void send(ServerCallStreamObserver<GetLogsResponse> out, List<String> lines, boolean always) {
        if (out.isCancelled()) {
            lines.clear();
            return;
        }
        if (lines.isEmpty() && always) {
            out.onNext(GetLogsResponse.getDefaultInstance());
        }
        for (int i = 0; i < lines.size(); i += BATCH) {
            out.onNext(GetLogsResponse.newBuilder().addAllLines(lines.subList(i, Math.min(lines.size(), i + BATCH)))
                    .build());
        }
        lines.clear();
    }

    /** One app's log: where reading stands, across rotations (the file's identity survives its renaming). */
    private final class Tail {
        final String app;
        final String prefix;
        Object fileKey;
        long position;
        final ByteArrayOutputStream partial = new ByteArrayOutputStream();

        Tail(String app, String prefix) {
            this.app = app;
            this.prefix = prefix;
        }

        void existing(Path podDir, List<String> out) {
            Path dir = podDir.resolve("apps").resolve(app);
            Deque<String> kept = new ArrayDeque<>();
            for (int i = ROTATED; i >= 0; i--) {
                Path file = dir.resolve(i == 0 ? LOG : LOG + "." + i);
                byte[] bytes;
                Object key;
                try {
                    key = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
                    bytes = Files.readAllBytes(file);
                } catch (NoSuchFileException e) {
                    continue;
                } catch (IOException e) {
                    throw BosunException.permissionDenied("cannot read " + file + ": " + e.getMessage()
                            + "; the API service needs read access to the data directory");
                }
                if (i == 0) {
                    fileKey = key;
                    position = bytes.length;
                }
                String text = new String(bytes, StandardCharsets.UTF_8);
                int start = 0;
                for (int nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
                    keep(kept, text.substring(start, nl));
                    start = nl + 1;
                }
                if (start < text.length()) {
                    if (i == 0) {
                        partial.writeBytes(text.substring(start).getBytes(StandardCharsets.UTF_8));
                    } else {
                        keep(kept, text.substring(start));
                    }
                }
            }
            for (String line : kept) {
                out.add(prefix + line);
            }
        }

        private void keep(Deque<String> kept, String line) {
            kept.addLast(line);
            if (lastLines != null && kept.size() > lastLines) {
                kept.removeFirst();
            }
        }

        void added(Path podDir, List<String> out) {
            Path dir = podDir.resolve("apps").resolve(app);
            Path current = dir.resolve(LOG);
            Object key = key(current);
            if (fileKey != null && !Objects.equals(key, fileKey)) {
                for (int i = 1; i <= ROTATED; i++) {
                    Path rotated = dir.resolve(LOG + "." + i);
                    if (Objects.equals(key(rotated), fileKey)) {
                        copyFrom(rotated, out);
                        break;
                    }
                }
                fileKey = null;
                position = 0;
            }
            if (key != null) {
                fileKey = key;
                copyFrom(current, out);
            }
        }

        private void copyFrom(Path file, List<String> out) {
            try (SeekableByteChannel ch = Files.newByteChannel(file)) {
                if (ch.size() < position) {
                    position = 0;
                }
                ch.position(position);
                InputStream in = Channels.newInputStream(ch);
                byte[] added = in.readAllBytes();
                position += added.length;
                for (byte b : added) {
                    if (b == '\n') {
                        out.add(prefix + partial.toString(StandardCharsets.UTF_8));
                        partial.reset();
                    } else {
                        partial.write(b);
                    }
                }
            } catch (IOException e) {
                // rotated away meanwhile: read on the next poll
            }
        }

        void rest(List<String> out) {
            if (partial.size() > 0) {
                out.add(prefix + partial.toString(StandardCharsets.UTF_8));
                partial.reset();
            }
        }

        private Object key(Path file) {
            try {
                return Files.readAttributes(file, BasicFileAttributes.class).fileKey();
            } catch (IOException e) {
                return null;
            }
        }
    }
}
