package org.bosun.cli;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import org.bosun.api.pod.AppInfo;
import org.bosun.api.pod.PodInfo;
import org.bosun.api.text.HumanText;

import com.fasterxml.jackson.databind.node.ArrayNode;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "list", description = "List pods.")
final class ListCommand implements Callable<Integer> {
    @picocli.CommandLine.Mixin
    HelpOption help;

    @Option(names = "--full", description = "show full UUIDs and image ids, and absolute times")
    boolean full;

    @Option(names = "--no-legend", description = "do not print the header line")
    boolean noLegend;

    @Option(names = "--format", paramLabel = "FORMAT", converter = OutputFormat.Converter.class,
            description = "tabular (default), json or json-pretty")
    OutputFormat format = OutputFormat.TABULAR;

    private final Session session;

    ListCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() {
        List<PodInfo> pods = session.pods().list(session.paths());
        if (format != OutputFormat.TABULAR) {
            ArrayNode array = PodJson.JSON.createArrayNode();
            pods.forEach(p -> array.add(PodJson.pod(p)));
            session.out.println(PodJson.write(array, format.jsonName()));
            return 0;
        }
        List<String[]> rows = new ArrayList<>();
        if (!noLegend) {
            rows.add(full ? new String[] {"UUID", "APP", "IMAGE NAME", "IMAGE ID", "STATE", "CREATED", "STARTED", "NETWORKS"}
                    : new String[] {"UUID", "APP", "IMAGE NAME", "STATE", "CREATED", "STARTED", "NETWORKS"});
        }
        Instant now = Instant.now();
        for (PodInfo pod : pods) {
            List<AppInfo> apps = pod.apps().isEmpty()
                    ? List.of(new AppInfo("-", "-", "-", List.of(), null, null, null, null, null)) : pod.apps();
            for (int i = 0; i < apps.size(); i++) {
                AppInfo app = apps.get(i);
                List<String> row = new ArrayList<>(List.of(i == 0 ? (full ? pod.uuid() : pod.uuid().substring(0, 8)) : "",
                        app.name(), app.imageName(), i == 0 ? state(pod) : "",
                        i == 0 ? time(pod.created(), now) : "", i == 0 ? time(pod.started(), now) : "",
                        i == 0 ? PodJson.networks(pod) : ""));
                if (full) {
                    row.add(3, app.imageId() == null ? "-" : app.imageId());
                }
                rows.add(row.toArray(String[]::new));
            }
        }
        Table.print(session.out, rows);
        return 0;
    }

    /** A damaged pod says so where its state stands; status and --format=json say why. */
    private static String state(PodInfo pod) {
        return pod.damage() == null ? pod.state().label() : pod.state().label() + " (damaged)";
    }

    private String time(Instant t, Instant now) {
        if (t == null) {
            return "";
        }
        if (full) {
            return t.toString();
        }
        return HumanText.ago(Duration.between(t, now));
    }
}
