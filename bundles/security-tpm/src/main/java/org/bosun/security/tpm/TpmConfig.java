package org.bosun.security.tpm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

import org.bosun.api.BosunException;
import org.bosun.api.RuntimePaths;
import org.bosun.host.config.ConfigFolder;
import org.bosun.security.tpm.TcgEventLog.Bank;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Which TPM bosun measures into, from {@code tpm.d/*.json} of the system and then the local
 * configuration directory (a later file replaces an earlier one as a whole):
 *
 * <pre>
 * {"bosunKind": "tpm", "bosunVersion": "v1", "tcti": "swtpm:host=127.0.0.1,port=2321",
 *  "pcr": 15, "banks": ["sha256"], "required": true}
 * </pre>
 *
 * {@code tcti} is a tpm2-tools TCTI ({@code device:/dev/tpmrm0}, {@code swtpm:host=H,port=P});
 * {@code pcr} defaults to 15 (rkt's choice), {@code banks} to sha256. With {@code required} (the
 * default) a pod does not start when it cannot be measured; with {@code "required": false} it
 * starts unmeasured. Without any file, a host with a TPM resource manager ({@code /dev/tpmrm0}) is
 * measured through it, not required; a host without one is not measured.
 *
 * @param tcti the TCTI
 * @param pcr the PCR index
 * @param banks the hash algorithms extended and logged
 * @param required whether a pod that cannot be measured is refused
 * @param source the file it came from, or a description of the default
 */
record TpmConfig(String tcti, int pcr, List<Bank> banks, boolean required, String source) {
    static final String DIRECTORY = "tpm.d";
    static final String KIND = "tpm";
    static final int DEFAULT_PCR = 15;
    static final Path DEVICE = Path.of("/dev/tpmrm0");
    private static final Set<String> FIELDS = Set.of("bosunKind", "bosunVersion", "tcti", "pcr", "banks", "required");
    private static final ObjectMapper JSON = new ObjectMapper();

    TpmConfig {
        banks = List.copyOf(banks);
    }

    /** The configuration for {@code paths}, or null when bosun measures nothing. */
    static TpmConfig load(RuntimePaths paths) {
        TpmConfig config = null;
        for (Path file : ConfigFolder.of(paths, DIRECTORY).files("*.json")) {
            config = read(file);
        }
        if (config == null && Files.exists(DEVICE)) {
            config = new TpmConfig("device:" + DEVICE, DEFAULT_PCR, List.of(Bank.SHA256), false,
                    DEVICE + " (no " + DIRECTORY + " file)");
        }
        return config;
    }

    static TpmConfig read(Path file) {
        JsonNode node;
        try {
            node = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw invalid(file, "is not JSON (" + e.getMessage().lines().findFirst().orElse("") + ")");
        }
        if (node == null || !node.isObject()) {
            throw invalid(file, "is not a JSON object");
        }
        if (!KIND.equals(node.path("bosunKind").asText()) || !"v1".equals(node.path("bosunVersion").asText())) {
            throw invalid(file, "must say \"bosunKind\": \"tpm\", \"bosunVersion\": \"v1\"");
        }
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!FIELDS.contains(name)) {
                throw invalid(file, "has the unknown field \"" + name + "\" (known: " + String.join(", ",
                        new java.util.TreeSet<>(FIELDS)) + ")");
            }
        }
        JsonNode tcti = node.get("tcti");
        if (tcti == null || !tcti.isTextual() || tcti.asText().isBlank() || tcti.asText().length() > 200
                || !tcti.asText().matches("[A-Za-z0-9_-]+(:\\S*)?")) {
            throw invalid(file, "needs \"tcti\": a tpm2-tools TCTI such as \"device:/dev/tpmrm0\" or"
                    + " \"swtpm:host=127.0.0.1,port=2321\"");
        }
        int pcr = DEFAULT_PCR;
        if (node.has("pcr")) {
            if (!node.get("pcr").isInt() || node.get("pcr").asInt() < 0 || node.get("pcr").asInt() > 23) {
                throw invalid(file, "has \"pcr\": " + node.get("pcr") + "; give a PCR index from 0 to 23 (default 15)");
            }
            pcr = node.get("pcr").asInt();
        }
        List<Bank> banks = new ArrayList<>();
        if (node.has("banks")) {
            if (!node.get("banks").isArray() || node.get("banks").isEmpty()) {
                throw invalid(file, "has \"banks\": " + node.get("banks") + "; give a list such as [\"sha256\"]");
            }
            for (JsonNode b : node.get("banks")) {
                Bank bank = Bank.named(b.asText());
                if (bank == null) {
                    throw invalid(file, "has the bank " + b + "; bosun knows sha1, sha256, sha384 and sha512");
                }
                if (!banks.contains(bank)) {
                    banks.add(bank);
                }
            }
        } else {
            banks.add(Bank.SHA256);
        }
        boolean required = true;
        if (node.has("required")) {
            if (!node.get("required").isBoolean()) {
                throw invalid(file, "has \"required\": " + node.get("required") + "; give true or false");
            }
            required = node.get("required").asBoolean();
        }
        return new TpmConfig(tcti.asText(), pcr, banks, required, file.toString());
    }

    private static BosunException invalid(Path file, String what) {
        return BosunException.invalid("configuration file " + file + " " + what);
    }
}
