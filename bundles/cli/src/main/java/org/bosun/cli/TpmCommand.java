package org.bosun.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import org.bosun.api.BosunException;
import org.bosun.api.ErrorKind;
import org.bosun.api.provider.ProviderKind;
import org.bosun.api.security.MeasurementReplay;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bosun tpm}: what the TPM module measured. */
@Command(name = "tpm", description = "Show what bosun measured into the TPM.", subcommands = TpmCommand.Log.class)
final class TpmCommand implements Callable<Integer> {
    @picocli.CommandLine.Mixin
    HelpOption help;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    private final Session session;

    TpmCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(session.out);
        return 0;
    }

    /**
     * {@code bosun tpm log}: prints the data directory's TPM event log and replays it; exits 1 when
     * the replayed PCR differs from the TPM's, and with the unavailable code when there is no TPM
     * to compare with.
     */
    @Command(name = "log", description = {"Print the TPM event log of the data directory and replay it: the PCR value"
            + " computed from the log must equal the one the TPM reports (tpm2_pcrread).",
            "Exits 0 on a match, 1 on a mismatch, 6 when no TPM is configured or it does not answer."})
    static final class Log implements Callable<Integer> {
        static final int MISMATCH = 1;

        @picocli.CommandLine.Mixin
        HelpOption help;

        @Option(names = "--format", paramLabel = "FORMAT", converter = OutputFormat.Converter.class,
                description = "tabular (default), json or json-pretty")
        OutputFormat format = OutputFormat.TABULAR;

        private final Session session;

        Log(Session session) {
            this.session = session;
        }

        @Override
        public Integer call() {
            MeasurementReplay replay = replay();
            int exit = replay.matches() ? 0 : replay.reported().isEmpty() ? ErrorKind.UNAVAILABLE.exitCode() : MISMATCH;
            if (format != OutputFormat.TABULAR) {
                session.out.println(PodJson.write(json(replay), format.jsonName()));
                return exit;
            }
            var out = session.out;
            out.println("Event log: " + replay.log() + (replay.events().isEmpty() ? " (no events yet)" : ""));
            out.println("TPM: " + (replay.tpm() == null ? "(none configured)" : replay.tpm()) + ", PCR " + replay.pcr());
            if (!replay.events().isEmpty()) {
                List<String[]> rows = new ArrayList<>();
                rows.add(new String[] {"#", "OFFSET", "PCR", "TYPE", "DIGESTS", "DESCRIPTION"});
                int n = 0;
                for (MeasurementReplay.Event e : replay.events()) {
                    rows.add(new String[] {String.valueOf(n++), String.valueOf(e.offset()), String.valueOf(e.pcr()),
                            e.typeName(), digests(e.digests()), oneLine(e.description())});
                }
                Table.print(out, rows);
            }
            for (Map.Entry<String, String> bank : replay.replayed().entrySet()) {
                out.println("PCR " + replay.pcr() + " " + bank.getKey() + " replayed: " + bank.getValue());
                String reported = replay.reported().get(bank.getKey());
                out.println("PCR " + replay.pcr() + " " + bank.getKey() + " TPM:      "
                        + (reported == null ? "(not read)" : reported));
            }
            if (replay.matches()) {
                out.println("match: the log replays to the TPM's PCR " + replay.pcr());
            } else if (replay.reported().isEmpty()) {
                session.err.println("bosun tpm log: cannot check the log against a TPM: " + replay.problem());
            } else {
                out.println("MISMATCH: the log does not replay to the TPM's PCR " + replay.pcr());
                session.err.println("bosun tpm log: mismatch: " + replay.problem());
            }
            return exit;
        }

        private MeasurementReplay replay() {
            return session.provider(ProviderKind.MEASUREMENT_LOG, null)
                    .orElseThrow(() -> BosunException.unavailable("the TPM module (bundle org.bosun.security.tpm) is not"
                            + " installed; install it to measure pods and read their log"))
                    .use(log -> log.replay(session.paths()));
        }

        private static String digests(Map<String, String> digests) {
            if (digests.isEmpty()) {
                return "-";
            }
            StringBuilder sb = new StringBuilder();
            new java.util.TreeMap<>(digests).forEach((bank, hex) -> sb.append(sb.length() == 0 ? "" : " ")
                    .append(bank).append(':').append(hex, 0, Math.min(16, hex.length())).append(".."));
            return sb.toString();
        }

        private static ObjectNode json(MeasurementReplay replay) {
            ObjectNode json = PodJson.JSON.createObjectNode();
            json.put("log", replay.log().toString());
            json.put("tpm", replay.tpm());
            json.put("pcr", replay.pcr());
            ArrayNode events = json.putArray("events");
            for (MeasurementReplay.Event e : replay.events()) {
                ObjectNode event = events.addObject();
                event.put("offset", e.offset());
                event.put("pcr", e.pcr());
                event.put("type", e.type());
                event.put("type_name", e.typeName());
                ObjectNode digests = event.putObject("digests");
                new java.util.TreeMap<>(e.digests()).forEach(digests::put);
                event.put("description", e.description());
            }
            ObjectNode replayed = json.putObject("replayed");
            new java.util.TreeMap<>(replay.replayed()).forEach(replayed::put);
            ObjectNode reported = json.putObject("reported");
            new java.util.TreeMap<>(replay.reported()).forEach(reported::put);
            json.put("match", replay.matches());
            json.put("problem", replay.problem());
            return json;
        }
    }

    /** A description on one table row: an engine's command may hold a script; JSON keeps it as it is. */
    static String oneLine(String description) {
        return description.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t");
    }
}
