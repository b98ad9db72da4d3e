package org.bosun.security.tpm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.bosun.api.BosunException;
import org.bosun.api.RuntimePaths;
import org.bosun.api.security.MeasurementLog;
import org.bosun.api.security.MeasurementReplay;
import org.bosun.api.security.PodMeasurement;
import org.bosun.api.security.SecurityContext;
import org.bosun.api.security.SecurityModule;
import org.bosun.api.security.SecurityModuleService;
import org.bosun.api.security.SecurityPolicy;
import org.bosun.api.stage1.PodDirectory;
import org.bosun.security.tpm.TcgEventLog.Bank;
import org.osgi.service.component.annotations.Component;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Measures what runs, as rkt did: before a pod starts, the pod manifest, each app's root
 * filesystem ({@link TreeDigest} of its image trees and overlay upper directory, or of its copied
 * rootfs) and the engine with its arguments are each extended into PCR 15 (by default) of the TPM
 * {@link TpmConfig configured} in {@code tpm.d/}, and appended as an EV_IPL event to the data
 * directory's TCG crypto-agile event log. {@code bosun tpm log} replays the log against the PCR.
 * The manifest's and the trees' events carry a description as data and the object's digest; the
 * engine's event carries exactly the bytes measured ({@code bosun pod UUID engine NAME VERSION},
 * then the argv, NUL-separated), so a verifier can recompute every digest from the pod.
 */
@Component(service = {SecurityModule.class, MeasurementLog.class}, property = "service.ranking:Integer=0")
@SecurityModuleService(name = TpmModule.NAME)
public final class TpmModule implements SecurityModule, MeasurementLog {
    static final String NAME = "tpm";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public SecurityPolicy contribute(SecurityContext context, SecurityPolicy policy) {
        return policy; // measuring happens when the pod starts, not in its policy
    }

    @Override
    public String inactiveReason(RuntimePaths paths) {
        TpmConfig config;
        try {
            config = TpmConfig.load(paths);
        } catch (BosunException e) {
            return e.getMessage();
        }
        if (config == null) {
            return "no TPM: no " + TpmConfig.DIRECTORY + "/*.json in " + paths.localConfigDir() + " or "
                    + paths.systemConfigDir() + " and no " + TpmConfig.DEVICE + "; pods run unmeasured";
        }
        try {
            new Tpm2Tools(config.tcti()).read(config.pcr(), config.banks());
            return null;
        } catch (BosunException e) {
            return e.getMessage() + (config.required() ? "; pods are refused until it answers (" + config.source()
                    + " requires measurement)" : "; pods run unmeasured");
        }
    }

    @Override
    public void measure(PodMeasurement measurement) {
        TpmConfig config = TpmConfig.load(measurement.paths());
        if (config == null) {
            return;
        }
        List<TcgEventLog.Event> events = events(measurement, config.banks(), config.pcr());
        Tpm2Tools tpm = new Tpm2Tools(config.tcti());
        EventLogFile log = new EventLogFile(measurement.paths().dataDir());
        try {
            log.locked(() -> {
                Tpm2Tools.Boot boot = tpm.boot();
                log.begin(new TcgEventLog.Header(config.banks(), vendorInfo(config, boot)));
                for (TcgEventLog.Event event : events) {
                    tpm.extend(config.pcr(), event.digests());
                    log.append(event, config.banks());
                }
                return null;
            });
        } catch (BosunException e) {
            if (config.required()) {
                throw BosunException.unavailable("pod " + measurement.pod().uuid() + " was not started: it must be"
                        + " measured into the TPM, but " + e.getMessage() + "; start the TPM, or set \"required\":"
                        + " false in " + config.source() + " to run pods unmeasured");
            }
        }
    }

    @Override
    public MeasurementReplay replay(RuntimePaths paths) {
        TpmConfig config = TpmConfig.load(paths);
        EventLogFile file = new EventLogFile(paths.dataDir());
        byte[] bytes = file.read();
        TcgEventLog.Parsed log = bytes == null ? null : TcgEventLog.parse(bytes, file.path().toString());
        int pcr = config != null ? config.pcr() : TpmConfig.DEFAULT_PCR;
        List<Bank> banks = log != null ? log.header().banks() : config != null ? config.banks() : List.of(Bank.SHA256);

        List<MeasurementReplay.Event> events = new ArrayList<>();
        Map<String, String> replayed = new LinkedHashMap<>();
        if (log != null) {
            events.add(new MeasurementReplay.Event(0, 0, TcgEventLog.EV_NO_ACTION, "EV_NO_ACTION", Map.of(),
                    TcgEventLog.SPEC_ID_SIGNATURE + ": " + bankNames(banks) + "; " + log.header().vendorInfo()));
            for (TcgEventLog.Event e : log.events()) {
                events.add(new MeasurementReplay.Event(e.offset(), e.pcr(), e.type(), TcgEventLog.typeName(e.type()),
                        hexByName(e.digests()), e.text()));
            }
            replayed.putAll(hexByName(TcgEventLog.replay(log, pcr)));
        } else {
            banks.forEach(b -> replayed.put(b.name, TcgEventLog.hex(new byte[b.size])));
        }

        Map<String, String> reported = new LinkedHashMap<>();
        String problem = null;
        if (config == null) {
            problem = "no TPM is configured (" + TpmConfig.DIRECTORY + "/*.json in " + paths.localConfigDir() + " or "
                    + paths.systemConfigDir() + "), so there is nothing to check the log against";
        } else {
            Tpm2Tools tpm = new Tpm2Tools(config.tcti());
            try {
                reported.putAll(hexByName(tpm.read(pcr, banks)));
                if (!reported.equals(replayed)) {
                    problem = mismatchCause(config, tpm, log);
                }
            } catch (BosunException e) {
                problem = e.getMessage();
            }
        }
        return new MeasurementReplay(file.path(), config == null ? null : config.tcti(), pcr, events, replayed, reported,
                problem);
    }

    /** What bosun can tell about a log that does not replay to the PCR. */
    private static String mismatchCause(TpmConfig config, Tpm2Tools tpm, TcgEventLog.Parsed log) {
        if (log == null) {
            return "this data directory has no event log yet, but PCR " + config.pcr() + " was extended: by bosun with"
                    + " another data directory, or by other software";
        }
        try {
            String now = vendorInfo(config, tpm.boot());
            if (!now.equals(log.header().vendorInfo())) {
                return "the log describes '" + log.header().vendorInfo() + "' but the TPM is now '" + now
                        + "' (another TPM, or it was reset since): the next measured pod starts a new log";
            }
        } catch (BosunException e) {
            return e.getMessage();
        }
        return "PCR " + config.pcr() + " was extended by something that is not in this log: bosun with another data"
                + " directory on the same TPM, other software, or a log that was altered";
    }

    /** What identifies one uninterrupted history of the PCR: the TPM, the PCR and the TPM's boot counts. */
    static String vendorInfo(TpmConfig config, Tpm2Tools.Boot boot) {
        return "bosun tpm=" + config.tcti() + " pcr=" + config.pcr() + " reset=" + boot.resetCount() + " restart="
                + boot.restartCount();
    }

    /** The pod's events, in the order they are extended: manifest, each app's rootfs, engine. */
    static List<TcgEventLog.Event> events(PodMeasurement m, List<Bank> banks, int pcr) {
        PodDirectory pod = m.pod();
        String prefix = "bosun pod " + pod.uuid() + " ";
        byte[] manifest;
        try {
            manifest = Files.readAllBytes(m.manifest());
        } catch (IOException e) {
            throw BosunException.unavailable("cannot measure the manifest of pod " + pod.uuid() + ": " + e.getMessage());
        }
        List<TcgEventLog.Event> events = new ArrayList<>();
        events.add(event(pcr, digests(manifest, banks), prefix + "manifest"));
        Map<String, String> images = images(manifest);
        for (PodDirectory.App app : pod.apps()) {
            List<Path> trees = new ArrayList<>();
            if (app.overlay()) {
                trees.addAll(app.lowerDirs());
                if (app.upperDir() != null && Files.isDirectory(app.upperDir())) {
                    trees.add(app.upperDir());
                }
            } else {
                trees.add(app.rootfs());
            }
            events.add(event(pcr, TreeDigest.of(trees, banks), prefix + "app " + app.name() + " image "
                    + images.getOrDefault(app.name(), "?") + " rootfs (" + trees.size() + " trees, "
                    + TreeDigest.VERSION.strip() + ")"));
        }
        StringBuilder engine = new StringBuilder(prefix).append("engine ").append(m.engineName()).append(' ')
                .append(m.engineVersion()).append(" argv");
        m.command().argv().forEach(arg -> engine.append('\0').append(arg));
        byte[] engineBytes = engine.toString().getBytes(StandardCharsets.UTF_8);
        events.add(new TcgEventLog.Event(-1, pcr, TcgEventLog.EV_IPL, digests(engineBytes, banks), engineBytes));
        return events;
    }

    private static TcgEventLog.Event event(int pcr, Map<Bank, byte[]> digests, String description) {
        return new TcgEventLog.Event(-1, pcr, TcgEventLog.EV_IPL, digests, description.getBytes(StandardCharsets.UTF_8));
    }

    private static Map<Bank, byte[]> digests(byte[] data, List<Bank> banks) {
        Map<Bank, byte[]> digests = new LinkedHashMap<>();
        banks.forEach(b -> digests.put(b, b.hash(data)));
        return digests;
    }

    /** App name to "image-name image-id", from the manifest. */
    private static Map<String, String> images(byte[] manifest) {
        Map<String, String> images = new LinkedHashMap<>();
        try {
            for (JsonNode app : JSON.readTree(manifest).path("apps")) {
                images.put(app.path("name").asText(), app.path("image").path("name").asText("?") + " "
                        + app.path("image").path("id").asText("?"));
            }
        } catch (IOException e) {
            // The manifest is measured as bytes whatever it holds; the description only loses the names.
        }
        return images;
    }

    private static Map<String, String> hexByName(Map<Bank, byte[]> values) {
        Map<String, String> result = new LinkedHashMap<>();
        values.forEach((bank, value) -> result.put(bank.name, TcgEventLog.hex(value)));
        return result;
    }

    private static String bankNames(List<Bank> banks) {
        return String.join(", ", banks.stream().map(b -> b.name).toList());
    }
}
