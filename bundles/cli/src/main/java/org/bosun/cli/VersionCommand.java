package org.bosun.cli;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;

import org.bosun.api.image.ImageFormat;
import org.bosun.api.provider.ProviderKind;
import org.bosun.api.provider.ProviderReference;
import org.bosun.api.provider.ProviderStatus;
import org.bosun.api.stage1.Stage1Engine;
import org.bosun.api.stage1.Stage1EngineService;
import org.osgi.framework.Bundle;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "version", description = {"Print the versions of bosun, its framework, engines, image formats and features,",
        "and every provider (engine, image format and store, network, security module, trust store) with its state:"
                + " active, inactive or unsatisfied, and why."})
final class VersionCommand implements Callable<Integer> {
    @picocli.CommandLine.Mixin
    HelpOption help;

    @Option(names = "--format", paramLabel = "FORMAT", converter = OutputFormat.Converter.class,
            description = "tabular (default), json or json-pretty")
    OutputFormat format = OutputFormat.TABULAR;

    /** One section of the output, without its heading (the Gogo commands bosun:engines, bosun:security ...). */
    @Option(names = "--only", paramLabel = "SECTION", converter = Section.Converter.class,
            description = "print one section only, without its heading: engines, formats, security or providers"
                    + " (with --format=json: that section's array)")
    Section only;

    /** The sections of the output that --only picks, each with its JSON array. */
    enum Section {
        ENGINES("stage1_engines"), FORMATS("image_formats"), SECURITY("security_modules"), PROVIDERS("providers");

        final String json;

        Section(String json) {
            this.json = json;
        }

        static final class Converter implements picocli.CommandLine.ITypeConverter<Section> {
            @Override
            public Section convert(String value) {
                for (Section s : values()) {
                    if (s.name().equalsIgnoreCase(value)) {
                        return s;
                    }
                }
                throw new picocli.CommandLine.TypeConversionException("'" + value
                        + "' is not a section of bosun version; use engines, formats, security or providers");
            }
        }
    }

    private final Session session;

    VersionCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() {
        Bundle self = session.context.getBundle();
        Bundle framework = session.context.getBundle(0);
        String features = session.context.getProperty("bosun.features");
        List<ProviderStatus> statuses = session.providerStatus();
        ObjectNode json = PodJson.JSON.createObjectNode();
        json.put("bosun", self.getVersion().toString());
        json.put("appc", "0.8.11");
        json.put("java", System.getProperty("java.version"));
        json.put("framework", framework.getSymbolicName() + " " + framework.getVersion());
        json.put("features", features == null ? "" : features);
        ArrayNode engines = json.putArray("stage1_engines");
        for (ProviderReference<Stage1Engine> engine : byName(ProviderKind.ENGINE)) {
            ObjectNode e = engines.addObject();
            e.put("name", engine.name());
            e.put("bundle", engine.bundleSymbolicName());
            e.put("version", engine.bundleVersion());
            e.put("abi_version", String.valueOf(engine.property(Stage1EngineService.ABI_VERSION)));
            e.put("description", String.valueOf(engine.property(Stage1EngineService.PREFIX_ + "description")));
        }
        ArrayNode formats = json.putArray("image_formats");
        for (ProviderReference<ImageFormat> imageFormat : byName(ProviderKind.IMAGE_FORMAT)) {
            ObjectNode f = formats.addObject();
            f.put("name", imageFormat.name());
            f.put("bundle", imageFormat.bundleSymbolicName());
            f.put("version", imageFormat.bundleVersion());
        }
        ArrayNode modules = json.putArray("security_modules");
        for (ProviderStatus module : statuses) {
            if (module.kind() == ProviderKind.SECURITY_MODULE) {
                ObjectNode m = modules.addObject();
                m.put("name", module.name());
                m.put("bundle", module.bundleSymbolicName());
                m.put("version", module.bundleVersion());
                m.put("state", module.state().label());
                if (module.reason() != null) {
                    m.put("reason", module.reason());
                }
            }
        }
        ArrayNode providers = json.putArray("providers");
        statuses.forEach(s -> providers.add(json(s)));
        if (format != OutputFormat.TABULAR) {
            session.out.println(PodJson.write(only == null ? json : json.get(only.json), format.jsonName()));
            return 0;
        }
        var out = session.out;
        if (only == null) {
            out.println("bosun Version: " + json.get("bosun").asText());
            out.println("appc Version: 0.8.11");
            out.println("Java Version: " + json.get("java").asText());
            out.println("Framework: " + json.get("framework").asText());
            out.println("Features: " + json.get("features").asText());
        }
        // A section alone has no heading and no indent: the Gogo commands print it so.
        String indent = only == null ? "  " : "";
        if (heading(Section.ENGINES, "Stage1 engines:") && engines.isEmpty()) {
            out.println(indent + "(none installed)");
        }
        if (only == null || only == Section.ENGINES) {
            engines.forEach(e -> out.println(indent + e.get("name").asText() + "  " + e.get("bundle").asText() + " "
                    + e.get("version").asText() + " (ABI " + e.get("abi_version").asText() + "): "
                    + e.get("description").asText()));
        }
        if (heading(Section.FORMATS, "Image formats:") && formats.isEmpty()) {
            out.println(indent + "(none installed)");
        }
        if (only == null || only == Section.FORMATS) {
            formats.forEach(f -> out.println(indent + f.get("name").asText() + "  " + f.get("bundle").asText() + " "
                    + f.get("version").asText()));
        }
        if (heading(Section.SECURITY, "Security modules:") && modules.isEmpty()) {
            out.println(indent + "(none installed: pods run unconfined)");
        }
        if (only == null || only == Section.SECURITY) {
            modules.forEach(m -> out.println(indent + m.get("name").asText() + "  " + m.get("bundle").asText() + " "
                    + m.get("version").asText() + ": " + m.get("state").asText()
                    + (m.has("reason") ? " (" + m.get("reason").asText() + ")" : "")));
        }
        if (heading(Section.PROVIDERS, "Providers:")) {
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {indent + "KIND", "NAME", "BUNDLE", "VERSION", "ABI", "STATE"});
            for (ProviderStatus s : statuses) {
                rows.add(new String[] {indent + s.kind().id(), s.name() == null ? "-" : s.name(), s.bundleSymbolicName(),
                        s.bundleVersion(), s.abiVersion() == null ? "-" : s.abiVersion().toString(), s.describe()});
            }
            Table.print(out, rows);
        }
        return 0;
    }

    /** Whether {@code section} is printed; prints its heading when the whole output is. */
    private boolean heading(Section section, String heading) {
        if (only == null) {
            session.out.println(heading);
        }
        return only == null || only == section;
    }

    /** The registered providers of {@code kind}, by name. */
    private <S> List<ProviderReference<S>> byName(ProviderKind<S> kind) {
        List<ProviderReference<S>> found = new ArrayList<>(session.providers(kind, null));
        found.sort(Comparator.comparing(ProviderReference::name, Comparator.nullsFirst(Comparator.naturalOrder())));
        return found;
    }

    private static ObjectNode json(ProviderStatus status) {
        ObjectNode p = PodJson.JSON.createObjectNode();
        p.put("kind", status.kind().id());
        p.put("name", status.name());
        p.put("bundle", status.bundleSymbolicName());
        p.put("version", status.bundleVersion());
        if (status.abiVersion() != null) {
            p.put("abi_version", status.abiVersion());
        }
        p.put("state", status.state().label());
        if (status.reason() != null) {
            p.put("reason", status.reason());
        }
        return p;
    }
}
