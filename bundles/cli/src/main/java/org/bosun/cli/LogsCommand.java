package org.bosun.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;

import org.bosun.api.BosunException;
import org.bosun.api.pod.AppInfo;
import org.bosun.api.pod.PodInfo;
import org.bosun.api.provider.ProviderKind;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code bosun logs}: an app's output as its engine kept it, {@code apps/NAME/log} in the pod, rotated
 * to {@code log.1} (newest) ... {@code log.5} (oldest). Prints the files oldest first; with several
 * apps and no {@code --app}, app after app, each line prefixed {@code [NAME] }.
 */
@Command(name = "logs", description = "Print the output of a pod's apps, as kept in the pod (oldest first).")
final class LogsCommand implements Callable<Integer> {
    static final String LOG = "log";
    static final int ROTATED = 5;
    static final long POLL_MILLIS = 100;

    @picocli.CommandLine.Mixin
    HelpOption help;

    @Parameters(arity = "0..1", paramLabel = "UUID", description = "the pod (a unique UUID prefix is enough)")
    List<String> uuid;

    @Option(names = "--uuid-file", paramLabel = "FILE", description = "read the pod's UUID from FILE")
    String uuidFile;

    @Option(names = "--app", paramLabel = "NAME", description = "only this app's output")
    String app;

    @Option(names = {"-f", "--follow"}, description = "keep printing new output until the pod has exited")
    boolean follow;

    @Option(names = "--tail", paramLabel = "N", description = "start with the last N lines of each app")
    Integer tail;

    private final Session session;

    LogsCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() throws InterruptedException {
        if (tail != null && tail < 0) {
            throw BosunException.invalid("--tail " + tail + " is negative; give a number of lines, 0 or more");
        }
        PodInfo pod = session.pods().status(session.paths(), NamedPods.one(session, uuid, uuidFile));
        List<String> names = apps(pod);
        if (!keepsOutput(pod)) {
            // Printing nothing would read as "the app wrote nothing".
            throw BosunException.notFound("pod " + pod.uuid() + " has no output kept: its engine '"
                    + pod.stage1().name() + "' does not supervise its app, which writes straight to the stdout and"
                    + " stderr of the bosun run that started it");
        }
        boolean prefixed = names.size() > 1;
        List<Follower> followers = new ArrayList<>();
        for (String name : names) {
            Follower f = new Follower(name, prefixed ? "[" + name + "] " : "");
            f.printExisting(pod.directory(), tail);
            followers.add(f);
        }
        session.out.flush();
        while (follow && !pod.state().isFinished()) {
            Thread.sleep(POLL_MILLIS);
            pod = session.pods().status(session.paths(), pod.uuid());
            for (Follower f : followers) {
                f.printNew(pod.directory());
            }
            session.out.flush();
        }
        if (follow) {
            // the pod has exited: what it wrote last
            for (Follower f : followers) {
                f.printNew(pod.directory());
                f.printRest();
            }
        }
        session.out.flush();
        return 0;
    }

    /** Whether the pod's engine keeps its apps' output; an unsupervised one (fly) gives them bosun run's streams. */
    private boolean keepsOutput(PodInfo pod) {
        if (pod.stage1() == null) {
            return true;
        }
        return session.provider(ProviderKind.ENGINE, ProviderKind.ENGINE.named(pod.stage1().name()))
                .map(engine -> engine.use(e -> e.capabilities().supervised())).orElse(true);
    }

    private List<String> apps(PodInfo pod) {
        List<String> all = pod.apps().stream().map(AppInfo::name).toList();
        if (app == null) {
            return all;
        }
        if (!all.contains(app)) {
            throw BosunException.notFound("pod " + pod.uuid() + " has no app '" + app + "'; its apps are "
                    + String.join(", ", all));
        }
        return List.of(app);
    }

    /** One app's log: where its reading stands, across rotations. */
    private final class Follower {
        final String name;
        final String prefix;
        /** The file being read (its identity survives the rename of a rotation), and how far. */
        Object fileKey;
        long position;
        final ByteArrayOutputStream partial = new ByteArrayOutputStream();

        Follower(String name, String prefix) {
            this.name = name;
            this.prefix = prefix;
        }

        void printExisting(Path podDir, Integer lastLines) {
            Path dir = podDir.resolve("apps").resolve(name);
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
                    throw BosunException.internal("cannot read " + file + ": " + e.getMessage(), e);
                }
                if (i == 0) {
                    fileKey = key;
                    position = bytes.length;
                }
                String text = new String(bytes, StandardCharsets.UTF_8);
                int start = 0;
                for (int nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
                    keep(kept, text.substring(start, nl), lastLines);
                    start = nl + 1;
                }
                if (start < text.length()) {
                    if (i == 0) {
                        partial.writeBytes(text.substring(start).getBytes(StandardCharsets.UTF_8));
                    } else {
                        keep(kept, text.substring(start), lastLines);
                    }
                }
            }
            for (String line : kept) {
                session.out.println(prefix + line);
            }
        }

        private void keep(Deque<String> kept, String line, Integer lastLines) {
            kept.addLast(line);
            if (lastLines != null && kept.size() > lastLines) {
                kept.removeFirst();
            }
        }

        /** What was added since; after a rotation, the end of the rotated file first. */
        void printNew(Path podDir) {
            Path dir = podDir.resolve("apps").resolve(name);
            Path current = dir.resolve(LOG);
            Object key = key(current);
            if (fileKey != null && !Objects.equals(key, fileKey)) {
                for (int i = 1; i <= ROTATED; i++) {
                    Path rotated = dir.resolve(LOG + "." + i);
                    if (Objects.equals(key(rotated), fileKey)) {
                        copyFrom(rotated);
                        break;
                    }
                }
                fileKey = null;
                position = 0;
            }
            if (key != null) {
                fileKey = key;
                copyFrom(current);
            }
        }

        void printRest() {
            if (partial.size() > 0) {
                session.out.println(prefix + partial.toString(StandardCharsets.UTF_8));
                partial.reset();
            }
        }

        private void copyFrom(Path file) {
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
                if (channel.size() < position) {
                    position = 0; // truncated
                }
                channel.position(position);
                try (InputStream in = java.nio.channels.Channels.newInputStream(channel)) {
                    byte[] buf = new byte[8192];
                    for (int n = in.read(buf); n > 0; n = in.read(buf)) {
                        position += n;
                        for (int i = 0; i < n; i++) {
                            if (buf[i] == '\n') {
                                session.out.println(prefix + partial.toString(StandardCharsets.UTF_8));
                                partial.reset();
                            } else {
                                partial.write(buf[i]);
                            }
                        }
                    }
                }
            } catch (NoSuchFileException e) {
                // rotated away meanwhile: the next look finds it
            } catch (IOException e) {
                throw BosunException.internal("cannot read " + file + ": " + e.getMessage(), e);
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
