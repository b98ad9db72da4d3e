package org.bosun.cli.image;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

import org.bosun.api.BosunException;
import org.bosun.api.image.StoredImage;
import org.bosun.api.text.HumanText;
import org.bosun.cli.HelpOption;
import org.bosun.cli.OutputFormat;
import org.bosun.cli.PodJson;
import org.bosun.cli.Session;
import org.bosun.cli.Table;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bosun image list}: the images in the store, as a table or JSON. */
@Command(name = "list", description = "List the images in the store.")
final class ImageListCommand implements Callable<Integer> {
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

    ImageListCommand(Session session) {
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
            session.out().println(PodJson.write(array, format.jsonName()));
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
        Table.print(session.out(), rows);
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
            case "size" -> full ? Long.toString(i.size()) : HumanText.bytes(i.size());
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
        return full ? t.toString() : HumanText.ago(Duration.between(t, now));
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
