package org.bosun.cli;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;

import org.bosun.api.image.ImageFormat;
import org.bosun.api.image.ImageFormatService;
import org.bosun.api.security.SecurityModule;
import org.bosun.api.security.SecurityModuleService;
import org.bosun.api.stage1.Stage1Engine;
import org.bosun.api.stage1.Stage1EngineService;
import org.osgi.framework.Bundle;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "version", description = "Print the versions of bosun, its framework, engines, image formats and features.")
final class VersionCommand implements Callable<Integer> {
    @picocli.CommandLine.Mixin
    HelpOption help;

    @Option(names = "--format", paramLabel = "FORMAT", converter = OutputFormat.Converter.class,
            description = "tabular (default), json or json-pretty")
    OutputFormat format = OutputFormat.TABULAR;

    private final Session session;

    VersionCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() throws InvalidSyntaxException {
        Bundle self = session.context.getBundle();
        Bundle framework = session.context.getBundle(0);
        String features = session.context.getProperty("bosun.features");
        ObjectNode json = PodJson.JSON.createObjectNode();
        json.put("bosun", self.getVersion().toString());
        json.put("appc", "0.8.11");
        json.put("java", System.getProperty("java.version"));
        json.put("framework", framework.getSymbolicName() + " " + framework.getVersion());
        json.put("features", features == null ? "" : features);
        ArrayNode engines = json.putArray("stage1_engines");
        for (ServiceReference<Stage1Engine> ref : sorted(Stage1Engine.class, Stage1EngineService.NAME)) {
            ObjectNode e = engines.addObject();
            e.put("name", String.valueOf(ref.getProperty(Stage1EngineService.NAME)));
            e.put("bundle", ref.getBundle().getSymbolicName());
            e.put("version", ref.getBundle().getVersion().toString());
            e.put("abi_version", String.valueOf(ref.getProperty(Stage1EngineService.ABI_VERSION)));
            e.put("description", String.valueOf(ref.getProperty(Stage1EngineService.PREFIX_ + "description")));
        }
        ArrayNode formats = json.putArray("image_formats");
        for (ServiceReference<ImageFormat> ref : sorted(ImageFormat.class, ImageFormatService.NAME)) {
            ObjectNode f = formats.addObject();
            f.put("name", String.valueOf(ref.getProperty(ImageFormatService.NAME)));
            f.put("bundle", ref.getBundle().getSymbolicName());
            f.put("version", ref.getBundle().getVersion().toString());
        }
        ArrayNode modules = json.putArray("security_modules");
        for (ServiceReference<SecurityModule> ref : sorted(SecurityModule.class, SecurityModuleService.NAME)) {
            ObjectNode m = modules.addObject();
            m.put("name", String.valueOf(ref.getProperty(SecurityModuleService.NAME)));
            m.put("bundle", ref.getBundle().getSymbolicName());
            m.put("version", ref.getBundle().getVersion().toString());
            SecurityModule module = session.context.getService(ref);
            try {
                String reason = module == null ? "it went away" : module.inactiveReason(session.paths());
                m.put("state", reason == null ? "active" : "inactive");
                if (reason != null) {
                    m.put("reason", reason);
                }
            } finally {
                if (module != null) {
                    session.context.ungetService(ref);
                }
            }
        }
        if (format != OutputFormat.TABULAR) {
            session.out.println(PodJson.write(json, format.jsonName()));
            return 0;
        }
        var out = session.out;
        out.println("bosun Version: " + json.get("bosun").asText());
        out.println("appc Version: 0.8.11");
        out.println("Java Version: " + json.get("java").asText());
        out.println("Framework: " + json.get("framework").asText());
        out.println("Features: " + json.get("features").asText());
        out.println("Stage1 engines:");
        if (engines.isEmpty()) {
            out.println("  (none installed)");
        }
        engines.forEach(e -> out.println("  " + e.get("name").asText() + "  " + e.get("bundle").asText() + " "
                + e.get("version").asText() + " (ABI " + e.get("abi_version").asText() + "): " + e.get("description").asText()));
        out.println("Image formats:");
        if (formats.isEmpty()) {
            out.println("  (none installed)");
        }
        formats.forEach(f -> out.println("  " + f.get("name").asText() + "  " + f.get("bundle").asText() + " "
                + f.get("version").asText()));
        out.println("Security modules:");
        if (modules.isEmpty()) {
            out.println("  (none installed: pods run unconfined)");
        }
        modules.forEach(m -> out.println("  " + m.get("name").asText() + "  " + m.get("bundle").asText() + " "
                + m.get("version").asText() + ": " + m.get("state").asText()
                + (m.has("reason") ? " (" + m.get("reason").asText() + ")" : "")));
        return 0;
    }

    private <S> List<ServiceReference<S>> sorted(Class<S> type, String nameProperty) throws InvalidSyntaxException {
        List<ServiceReference<S>> refs = new ArrayList<>(session.context.getServiceReferences(type, null));
        refs.sort(Comparator.comparing(r -> String.valueOf(r.getProperty(nameProperty))));
        return refs;
    }
}
