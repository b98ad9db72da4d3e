package org.bosun.security.tpm;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.bosun.api.BosunException;
import org.bosun.security.tpm.TcgEventLog.Bank;

/**
 * A TPM 2.0 reached through the tpm2-tools commands ({@code tpm2_pcrextend}, {@code tpm2_pcrread},
 * {@code tpm2_readclock}) and a TCTI. Every failure is {@link BosunException#unavailable}, naming
 * the TPM and what the tool said.
 */
final class Tpm2Tools {
    private static final long TIMEOUT_SECONDS = 20;
    private static final Pattern PCR_LINE = Pattern.compile("^\\s*(\\d+)\\s*:\\s*0x([0-9A-Fa-f]+)\\s*$");
    private static final Pattern BANK_LINE = Pattern.compile("^\\s*(sha1|sha256|sha384|sha512)\\s*:\\s*$");
    private static final Pattern COUNT_LINE = Pattern.compile("^\\s*(reset_count|restart_count)\\s*:\\s*(\\d+)\\s*$");

    private final String tcti;

    Tpm2Tools(String tcti) {
        this.tcti = tcti;
    }

    String tcti() {
        return tcti;
    }

    /** The TPM's reset and restart counts: the PCRs were reset whenever either changed. */
    record Boot(long resetCount, long restartCount) {
    }

    Boot boot() {
        String out = run("tpm2_readclock");
        long reset = -1;
        long restart = -1;
        for (String line : out.split("\n")) {
            Matcher m = COUNT_LINE.matcher(line);
            if (m.matches()) {
                if (m.group(1).equals("reset_count")) {
                    reset = Long.parseLong(m.group(2));
                } else {
                    restart = Long.parseLong(m.group(2));
                }
            }
        }
        if (reset < 0 || restart < 0) {
            throw BosunException.unavailable("TPM " + tcti + ": tpm2_readclock printed no reset and restart counts: "
                    + out.strip());
        }
        return new Boot(reset, restart);
    }

    /** Extends {@code pcr} with one digest per bank (one TPM2_PCR_Extend). */
    void extend(int pcr, Map<Bank, byte[]> digests) {
        StringBuilder spec = new StringBuilder().append(pcr).append(':');
        String separator = "";
        for (Map.Entry<Bank, byte[]> d : digests.entrySet()) {
            spec.append(separator).append(d.getKey().name).append('=').append(TcgEventLog.hex(d.getValue()));
            separator = ",";
        }
        run("tpm2_pcrextend", spec.toString());
    }

    /** The value of {@code pcr} in each of {@code banks}. */
    Map<Bank, byte[]> read(int pcr, List<Bank> banks) {
        StringBuilder selection = new StringBuilder();
        for (Bank bank : banks) {
            selection.append(selection.length() == 0 ? "" : "+").append(bank.name).append(':').append(pcr);
        }
        String out = run("tpm2_pcrread", selection.toString());
        Map<Bank, byte[]> values = new LinkedHashMap<>();
        Bank current = null;
        for (String line : out.split("\n")) {
            Matcher bank = BANK_LINE.matcher(line);
            Matcher value = PCR_LINE.matcher(line);
            if (bank.matches()) {
                current = Bank.named(bank.group(1));
            } else if (value.matches() && current != null && Integer.parseInt(value.group(1)) == pcr) {
                values.put(current, HexFormat.of().parseHex(value.group(2).toLowerCase(java.util.Locale.ROOT)));
            }
        }
        for (Bank bank : banks) {
            byte[] v = values.get(bank);
            if (v == null || v.length != bank.size) {
                throw BosunException.unavailable("TPM " + tcti + " has no active " + bank.name + " bank for PCR " + pcr
                        + " (tpm2_pcrread printed: " + out.strip() + "); change \"banks\" in tpm.d");
            }
        }
        return values;
    }

    private String run(String tool, String... args) {
        Path program = find(tool);
        List<String> argv = new ArrayList<>();
        argv.add(program.toString());
        argv.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(argv).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().put("TPM2TOOLS_TCTI", tcti);
        try {
            Process p = pb.start();
            // Outputs are small; read stderr on the side so neither pipe can fill up.
            var err = java.util.concurrent.CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
            String out = readAll(p.getInputStream());
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw BosunException.unavailable("TPM " + tcti + ": " + tool + " did not answer within "
                        + TIMEOUT_SECONDS + " s");
            }
            if (p.exitValue() != 0) {
                String message = err.join().strip();
                String last = message.lines().reduce((a, b) -> b).orElse("exit code " + p.exitValue());
                throw BosunException.unavailable("TPM " + tcti + " does not answer: " + tool + " failed: " + last);
            }
            return out;
        } catch (IOException e) {
            throw BosunException.unavailable("cannot run " + program + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw BosunException.unavailable("interrupted while " + tool + " talked to TPM " + tcti);
        }
    }

    private static String readAll(java.io.InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    static Path find(String tool) {
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
        for (String dir : (path + ":/usr/bin:/usr/local/bin").split(":")) {
            if (!dir.isEmpty()) {
                Path candidate = Path.of(dir, tool);
                if (Files.isExecutable(candidate)) {
                    return candidate;
                }
            }
        }
        throw BosunException.unavailable(tool + " is not installed (not found on PATH); install the tpm2-tools"
                + " package to measure pods into the TPM");
    }
}
