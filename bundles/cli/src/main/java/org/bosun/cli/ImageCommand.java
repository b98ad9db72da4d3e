package org.bosun.cli;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Function;

import org.bosun.api.BosunException;
import org.bosun.api.ErrorKind;
import org.bosun.api.image.ImageGcReport;
import org.bosun.api.image.ImageStore;
import org.bosun.api.image.StoredImage;
import org.bosun.host.files.FileTree;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code bosun image}: the image store's commands, as rkt's {@code rkt image}. */
@Command(name = "image", description = "Manage the images in the store.",
        subcommands = {ImageCommand.ListImages.class, ImageCommand.Remove.class, ImageCommand.Gc.class,
                ImageCommand.CatManifest.class, ImageCommand.Export.class, ImageCommand.Extract.class,
                ImageCommand.Render.class, ImageCommand.Verify.class})
final class ImageCommand implements Callable<Integer> {
    @picocli.CommandLine.Mixin
    HelpOption help;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private final Session session;

    ImageCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(session.out);
        return 0;
    }

    /** The stored image a user named, or NOT_FOUND naming it. */
    static StoredImage find(ImageStore store, Session session, String idOrName) {
        return store.find(session.paths(), idOrName).orElseThrow(() -> BosunException.notFound("image " + idOrName
                + " is not in the store; see bosun image list"));
    }

    @Command(name = "list", description = "List the images in the store.")
    static final class ListImages implements Callable<Integer> {
        static final List<String> FIELDS = List.of("id", "name", "importtime", "lastused", "size", "format", "references");

        @picocli.CommandLine.Mixin
        HelpOption help;

        @Option(names = "--fields", split = ",", paramLabel = "FIELD,...",
                description = "columns to show: id, name, importtime, lastused, size, format, references (default: id,name,size,importtime,lastused)")
        List<String> fields = new ArrayList<>(List.of("id", "name", "size", "importtime", "lastused"));

        @Option(names = "--sort", split = ",", paramLabel = "FIELD,...", description = "sort by these fields (default: importtime)")
        List<String> sort = new ArrayList<>(List.of("importtime"));

        @Option(names = "--order", paramLabel = "asc|desc", description = "sort order (default: asc)")
        String order = "asc";

        @Option(names = "--no-legend", description = "do not print the header line")
        boolean noLegend;

        @Option(names = "--full", description = "show full image ids and absolute times")
        boolean full;

        @Option(names = "--format", paramLabel = "FORMAT", converter = OutputFormat.Converter.class,
                description = "tabular (default), json or json-pretty")
        OutputFormat format = OutputFormat.TABULAR;

        private final Session session;

        ListImages(Session session) {
            this.session = session;
        }

        @Override
        public Integer call() {
            for (String f : concat(fields, sort)) {
                if (!FIELDS.contains(f.toLowerCase(Locale.ROOT))) {
                    throw BosunException.invalid("unknown field '" + f + "'; use " + String.join(", ", FIELDS));
                }
            }
            if (!order.equals("asc") && !order.equals("desc")) {
                throw BosunException.invalid("--order " + order + " is not asc or desc");
            }
            List<StoredImage> images = new ArrayList<>(new ImageServices(session).withStore(s -> s.list(session.paths())));
            Comparator<StoredImage> by = null;
            for (String f : sort) {
                Comparator<StoredImage> next = Comparator.comparing(i -> sortKey(i, f.toLowerCase(Locale.ROOT)));
                by = by == null ? next : by.thenComparing(next);
            }
            if (by != null) {
                images.sort(order.equals("desc") ? by.reversed() : by);
            }
            if (format != OutputFormat.TABULAR) {
                ArrayNode array = PodJson.JSON.createArrayNode();
                images.forEach(i -> array.add(json(i)));
                session.out.println(PodJson.write(array, format.jsonName()));
                return 0;
            }
            List<String[]> rows = new ArrayList<>();
            if (!noLegend) {
                rows.add(fields.stream().map(f -> header(f.toLowerCase(Locale.ROOT))).toArray(String[]::new));
            }
            Instant now = Instant.now();
            for (StoredImage i : images) {
                rows.add(fields.stream().map(f -> cell(i, f.toLowerCase(Locale.ROOT), now)).toArray(String[]::new));
            }
            Table.print(session.out, rows);
            return 0;
        }

        private static List<String> concat(List<String> a, List<String> b) {
            List<String> all = new ArrayList<>(a);
            all.addAll(b);
            return all;
        }

        private static String header(String field) {
            return switch (field) {
                case "importtime" -> "IMPORT TIME";
                case "lastused" -> "LAST USED";
                default -> field.toUpperCase(Locale.ROOT);
            };
        }

        @SuppressWarnings({"rawtypes", "unchecked"})
        private static Comparable sortKey(StoredImage i, String field) {
            return switch (field) {
                case "id" -> i.id();
                case "name" -> i.name();
                case "importtime" -> i.importTime() == null ? Instant.EPOCH : i.importTime();
                case "lastused" -> i.lastUsed() == null ? Instant.EPOCH : i.lastUsed();
                case "size" -> i.size();
                case "format" -> i.format();
                default -> String.join(",", i.references());
            };
        }

        private String cell(StoredImage i, String field, Instant now) {
            return switch (field) {
                case "id" -> full ? i.id() : ImageServices.shortId(i.id());
                case "name" -> i.name() + version(i);
                case "importtime" -> time(i.importTime(), now);
                case "lastused" -> time(i.lastUsed(), now);
                case "size" -> full ? Long.toString(i.size()) : TerminalProgress.bytes(i.size());
                case "format" -> i.format();
                default -> String.join(",", i.references());
            };
        }

        private static String version(StoredImage i) {
            String v = i.manifest().labels().get("version");
            return v == null ? "" : ":" + v;
        }

        private String time(Instant t, Instant now) {
            if (t == null) {
                return "never";
            }
            return full ? t.toString() : ListCommand.ago(Duration.between(t, now));
        }

        private static long nanos(Instant t) {
            return t == null ? 0 : t.getEpochSecond() * 1_000_000_000L + t.getNano();
        }

        private static ObjectNode json(StoredImage i) {
            ObjectNode n = PodJson.JSON.createObjectNode();
            n.put("id", i.id());
            n.put("name", i.name());
            n.put("format", i.format());
            n.put("size", i.size());
            n.put("importTime", i.importTime() == null ? null : i.importTime().toString());
            n.put("lastUsed", i.lastUsed() == null ? null : i.lastUsed().toString());
            // rkt's names and units (nanoseconds since the epoch), so scripts written for rkt keep working.
            n.put("import_time", nanos(i.importTime()));
            n.put("last_used_time", nanos(i.lastUsed()));
            ArrayNode refs = n.putArray("references");
            i.references().forEach(refs::add);
            ObjectNode labels = n.putObject("labels");
            i.manifest().labels().forEach(labels::put);
            ArrayNode blobs = n.putArray("blobs");
            i.blobs().forEach(blobs::add);
            return n;
        }
    }

    @Command(name = "rm", description = "Remove images (and their rendered trees) that no prepared or running pod uses.")
    static final class Remove implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        HelpOption help;

        @Parameters(paramLabel = "ID", arity = "1..*", description = "image ids, unique id prefixes or names")
        List<String> ids;

        private final Session session;

        Remove(Session session) {
            this.session = session;
        }

        @Override
        public Integer call() {
            ImageServices services = new ImageServices(session);
            Set<String> inUse = services.imagesInUse();
            int exit = 0;
            int removed = 0;
            for (String id : ids) {
                try {
                    services.withStore(store -> {
                        store.remove(session.paths(), id, inUse);
                        return null;
                    });
                    removed++;
                } catch (BosunException e) {
                    session.err.println("bosun image rm: " + e.getMessage());
                    exit = exit == 0 ? e.kind().exitCode() : exit;
                }
            }
            session.out.println("removed " + removed + " image" + (removed == 1 ? "" : "s"));
            return exit;
        }
    }

    @Command(name = "gc", description = {"Remove images unused for longer than the grace period, rendered trees and blobs"
            + " no image needs, and leftovers of killed fetches.", "Images of prepared and running pods are kept."})
    static final class Gc implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        HelpOption help;

        @Option(names = "--grace-period", paramLabel = "DURATION",
                description = "remove images not used for this long (default 24h; 0 removes every unused image)")
        String gracePeriod = "24h";

        private final Session session;

        Gc(Session session) {
            this.session = session;
        }

        @Override
        public Integer call() {
            Duration grace = Durations.parse(gracePeriod, "--grace-period");
            ImageServices services = new ImageServices(session);
            Set<String> inUse = services.imagesInUse();
            ImageGcReport report = services.withStore(s -> s.gc(session.paths(), grace, true, inUse));
            report.images().forEach(id -> session.out.println("removed image " + id));
            session.out.println("removed " + report.images().size() + " images, " + report.trees() + " trees, "
                    + report.blobs() + " blobs, " + report.leftovers() + " leftovers; freed "
                    + TerminalProgress.bytes(report.bytesFreed()));
            return 0;
        }
    }

    @Command(name = "cat-manifest", description = {"Print an image's manifest as JSON: the manifest the image came with"
            + " (ACI image manifest, OCI or Docker manifest),", "or bosun's common form with --common (and for images"
            + " stored without their original manifest)."})
    static final class CatManifest implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        HelpOption help;

        @Parameters(paramLabel = "ID", description = "an image id, unique id prefix or name")
        String id;

        private final Session session;

        CatManifest(Session session) {
            this.session = session;
        }

        @Option(names = "--common", description = "print bosun's common form of the manifest")
        boolean common;

        @Option(names = "--pretty-print", negatable = true, defaultValue = "true", fallbackValue = "true", arity = "0..1",
                paramLabel = "true|false", description = "indent the JSON (default true; --pretty-print=false: one line)")
        boolean pretty;

        @Override
        public Integer call() {
            String text = new ImageServices(session).withStore(s -> {
                StoredImage image = find(s, session, id);
                String original = common ? null : original(s, image);
                return original != null ? original
                        : PodJson.write(PodJson.JSON.valueToTree(image.manifest()), pretty ? "json-pretty" : "json");
            });
            session.out.println(text);
            return 0;
        }

        /**
         * The manifest as the image carries it: an ACI's is kept in its metadata; an OCI or Docker
         * image's id is its manifest's digest, and the manifest is a blob of the store.
         */
        private String original(org.bosun.api.image.ImageStore store, StoredImage image) {
            try {
                String json = image.metadata().get("manifest");
                if (json == null) {
                    java.util.Optional<Path> blob = image.id().startsWith("sha256:") ? store.blob(session.paths(), image.id())
                            : java.util.Optional.empty();
                    if (blob.isEmpty() || Files.size(blob.get()) > (4 << 20)) {
                        return null;
                    }
                    json = Files.readString(blob.get());
                }
                return PodJson.write(PodJson.JSON.readTree(json), pretty ? "json-pretty" : "json");
            } catch (IOException e) {
                return null; // not JSON after all: the common form still says what the image holds
            }
        }
    }

    @Command(name = "export", description = "Write an image's archive (an appc image: its ACI, uncompressed) to FILE.")
    static final class Export implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        HelpOption help;

        @Option(names = "--overwrite", description = "replace FILE if it exists")
        boolean overwrite;

        @Parameters(index = "0", paramLabel = "ID", description = "an image id, unique id prefix or name")
        String id;

        @Parameters(index = "1", paramLabel = "FILE", description = "where to write it")
        String file;

        private final Session session;

        Export(Session session) {
            this.session = session;
        }

        @Override
        public Integer call() {
            Path target = session.resolve(file);
            new ImageServices(session).withStore(store -> {
                StoredImage image = find(store, session, id);
                if (image.blobs().size() != 1) {
                    throw BosunException.invalid("image " + image.id() + " (" + image.name() + ") is made of "
                            + image.blobs().size() + " blobs, not one archive; use bosun image extract or render");
                }
                Path blob = store.blob(session.paths(), image.blobs().get(0)).orElseThrow(() -> BosunException.notFound(
                        "image " + image.id() + " lost its blob; run bosun image verify, then fetch it again"));
                write(blob, target);
                return null;
            });
            return 0;
        }

        private void write(Path blob, Path target) {
            if (!overwrite && Files.exists(target)) {
                throw new BosunException(ErrorKind.ALREADY_EXISTS, target + " exists; choose another file or pass --overwrite");
            }
            Path temp = target.resolveSibling("." + target.getFileName() + ".bosun-export");
            try {
                Files.copy(blob, temp, StandardCopyOption.REPLACE_EXISTING);
                Files.setPosixFilePermissions(temp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // nothing more to do
                }
                throw BosunException.precondition("cannot write " + target + ": " + e.getMessage());
            }
        }
    }

    /** extract and render: the image's root filesystem (and its manifest) in a new directory. */
    abstract static class IntoDirectory implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        HelpOption help;

        @Option(names = "--rootfs-only", description = "write only the root filesystem into DIR, no manifest")
        boolean rootfsOnly;

        @Option(names = "--overwrite", description = "replace DIR if it exists")
        boolean overwrite;

        @Parameters(index = "0", paramLabel = "ID", description = "an image id, unique id prefix or name")
        String id;

        @Parameters(index = "1", paramLabel = "DIR", description = "a directory that does not exist yet")
        String dir;

        final Session session;

        IntoDirectory(Session session) {
            this.session = session;
        }

        /** Fills {@code rootfs}, an empty directory, with the image's root filesystem. */
        abstract void fill(ImageStore store, StoredImage image, Path rootfs);

        @Override
        public Integer call() {
            Path target = session.resolve(dir);
            ImageServices services = new ImageServices(session);
            services.withStore(store -> {
                StoredImage image = find(store, session, id);
                Path temp = prepare(target);
                try {
                    Path rootfs = rootfsOnly ? temp : Files.createDirectory(temp.resolve("rootfs"));
                    fill(store, image, rootfs);
                    if (!rootfsOnly) {
                        Files.writeString(temp.resolve("manifest"), PodJson.write(
                                PodJson.JSON.valueToTree(image.manifest()), "json-pretty") + "\n");
                    }
                    if (overwrite && Files.exists(target)) {
                        FileTree.delete(target);
                    }
                    Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
                } catch (IOException | RuntimeException e) {
                    FileTree.deleteQuietly(temp);
                    if (e instanceof RuntimeException r) {
                        throw r;
                    }
                    throw BosunException.precondition("cannot write " + target + ": " + e.getMessage());
                }
                return null;
            });
            return 0;
        }

        /** A temporary directory beside the target, renamed into place when complete. */
        private Path prepare(Path target) {
            if (!overwrite && Files.exists(target)) {
                throw new BosunException(ErrorKind.ALREADY_EXISTS, target + " exists; choose a new directory or pass --overwrite");
            }
            try {
                Files.createDirectories(target.getParent());
                Path temp = Files.createTempDirectory(target.getParent(), "." + target.getFileName() + ".bosun-");
                Files.setPosixFilePermissions(temp, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
                return temp;
            } catch (FileAlreadyExistsException e) {
                throw new BosunException(ErrorKind.ALREADY_EXISTS, target + " exists");
            } catch (IOException e) {
                throw BosunException.precondition("cannot create " + target + ": " + e.getMessage());
            }
        }
    }

    @Command(name = "extract", description = "Extract an image's root filesystem from its blobs, with its manifest, into DIR.")
    static final class Extract extends IntoDirectory {
        Extract(Session session) {
            super(session);
        }

        @Override
        void fill(ImageStore store, StoredImage image, Path rootfs) {
            new ImageServices(session).withFormatOf(image, format -> {
                format.render(image, store, session.paths(), rootfs);
                return null;
            });
        }
    }

    @Command(name = "render", description = "Copy an image's rendered tree (as pods use it), with its manifest, into DIR.")
    static final class Render extends IntoDirectory {
        Render(Session session) {
            super(session);
        }

        @Override
        void fill(ImageStore store, StoredImage image, Path rootfs) {
            ImageServices services = new ImageServices(session);
            Path tree = store.tree(session.paths(), image, (stored, dir) -> services.withFormatOf(stored, format -> {
                format.render(stored, store, session.paths(), dir);
                return null;
            }));
            Directories.copy(tree, rootfs);
        }
    }

    @Command(name = "verify", description = "Check the digests of the blobs of one image, or of every image, on disk.")
    static final class Verify implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        HelpOption help;

        @Parameters(paramLabel = "ID", arity = "0..1", description = "an image id, unique id prefix or name (default: all)")
        String id;

        private final Session session;

        Verify(Session session) {
            this.session = session;
        }

        @Override
        public Integer call() {
            ImageServices services = new ImageServices(session);
            Function<ImageStore, List<String>> verify = s -> s.verify(session.paths(), id);
            List<String> problems = services.withStore(verify);
            problems.forEach(session.out::println);
            if (!problems.isEmpty()) {
                session.err.println("bosun image verify: " + problems.size() + " problem"
                        + (problems.size() == 1 ? "" : "s") + " found");
                return ErrorKind.FAILED_PRECONDITION.exitCode();
            }
            session.out.println("all blobs verified");
            return 0;
        }
    }
}
