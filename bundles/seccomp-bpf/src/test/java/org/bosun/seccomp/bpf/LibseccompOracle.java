package org.bosun.seccomp.bpf;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * libseccomp itself, through Debian's python3-seccomp (the same libseccomp2 crun links): builds
 * the program for a {@code linux.seccomp} section the way crun's libcrun_generate_seccomp does
 * (seccomp_init with the default action, seccomp_arch_add per architecture, names resolved on the
 * native architecture with unknown ones skipped, rules with the default's action skipped,
 * seccomp_rule_add per name) and exports it with seccomp_export_bpf.
 */
public final class LibseccompOracle {
    private static final String PYTHON = "/usr/bin/python3";
    private static final String CRUN_LIKE = String.join("\n",
            "import json, sys",
            "try:",
            "    import seccomp",
            "except ImportError:",
            "    sys.exit('python3-seccomp is missing: apt-get install python3-seccomp (scripts/install installs it)')",
            "def action(name, errno):",
            "    errno = 1 if errno is None else errno",
            "    return {'SCMP_ACT_ALLOW': seccomp.ALLOW, 'SCMP_ACT_ERRNO': seccomp.ERRNO(errno),",
            "            'SCMP_ACT_KILL': seccomp.KILL, 'SCMP_ACT_KILL_THREAD': seccomp.KILL,",
            "            'SCMP_ACT_KILL_PROCESS': seccomp.KILL_PROCESS, 'SCMP_ACT_TRAP': seccomp.TRAP,",
            "            'SCMP_ACT_LOG': seccomp.LOG, 'SCMP_ACT_TRACE': seccomp.TRACE(errno)}[name]",
            "if sys.argv[1] == 'resolve':",
            "    arch = getattr(seccomp.Arch, sys.argv[2])",
            "    for name in sys.stdin.read().split():",
            "        print(name, seccomp.resolve_syscall(arch, name))",
            "    sys.exit(0)",
            "profile = json.load(open(sys.argv[1]))",
            "default = action(profile['defaultAction'], profile.get('defaultErrnoRet'))",
            "f = seccomp.SyscallFilter(defaction=default)",
            "for arch in profile.get('architectures') or []:",
            "    token = getattr(seccomp.Arch, arch[len('SCMP_ARCH_'):])",
            "    if not f.exist_arch(token):",
            "        f.add_arch(token)",
            "for rule in profile.get('syscalls') or []:",
            "    act = action(rule['action'], rule.get('errnoRet'))",
            "    if act == default:",
            "        continue",
            "    for name in rule.get('names') or []:",
            "        number = seccomp.resolve_syscall(seccomp.Arch.NATIVE, name)",
            "        if number != -1:",
            "            f.add_rule(act, number)",
            "with open(sys.argv[2], 'wb') as out:",
            "    f.export_bpf(out)",
            "");

    private LibseccompOracle() {
    }

    /** The program libseccomp builds for crun from this section. */
    public static byte[] export(String ociSeccompJson) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("bosun-seccomp-oracle-");
        try {
            Path profile = Files.writeString(dir.resolve("seccomp.json"), ociSeccompJson);
            Path program = dir.resolve("seccomp.bpf");
            run(null, profile.toString(), program.toString());
            return Files.readAllBytes(program);
        } finally {
            try (var files = Files.list(dir)) {
                for (Path file : files.toList()) {
                    Files.delete(file);
                }
            }
            Files.delete(dir);
        }
    }

    /**
     * libseccomp's numbers for these names on an architecture ({@code X86_64}, {@code X86},
     * {@code X32}), one "NAME NUMBER" line per name; -1 for a name it does not know at all.
     */
    public static List<String> resolve(String arch, List<String> names) throws IOException, InterruptedException {
        return run(String.join("\n", names), "resolve", arch);
    }

    private static List<String> run(String input, String... args) throws IOException, InterruptedException {
        if (!Files.isExecutable(Path.of(PYTHON))) {
            throw new AssertionError(PYTHON + " is missing: the differential tests need Debian's python3 with"
                    + " python3-seccomp (scripts/install installs both)");
        }
        List<String> command = new ArrayList<>(List.of(PYTHON, "-c", CRUN_LIKE));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (input != null) {
            process.getOutputStream().write(input.getBytes(StandardCharsets.UTF_8));
        }
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            process.destroyForcibly();
            throw new AssertionError("libseccomp (through " + PYTHON + " and python3-seccomp) failed: " + output.strip());
        }
        return output.lines().toList();
    }
}
