package org.bosun.stage1.oci;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import org.bosun.api.BosunException;
import org.bosun.api.app.ResourceUpdate;
import org.bosun.api.stage1.PodDirectory;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * New limits for a running app's container through the runtime's own {@code update --resources
 * FILE} (an OCI {@code linux.resources} object, which runc and crun both read), run in the
 * supervisor's mount and cgroup namespaces, where the runtime's state names the container's cgroups.
 */
final class ResourceUpdates {
    static final Pattern CPU_LIST = Pattern.compile("[0-9]+(-[0-9]+)?(,[0-9]+(-[0-9]+)?)*");
    private static final long RUNTIME_SECONDS = 30;
    private static final ObjectMapper JSON = new ObjectMapper();

    private ResourceUpdates() {
    }

    /** The resources object of {@code update}; refuses values the kernel would not take, naming them. */
    static ObjectNode json(String where, ResourceUpdate u) {
        ObjectNode resources = JSON.createObjectNode();
        if (u.memoryLimitBytes() != null) {
            if (u.memoryLimitBytes() != -1 && u.memoryLimitBytes() < 1) {
                throw BosunException.invalid(where + ": memory limit " + u.memoryLimitBytes() + " is not a number of"
                        + " bytes; give a positive limit, or -1 for none");
            }
            resources.putObject("memory").put("limit", u.memoryLimitBytes());
        }
        ObjectNode cpu = JSON.createObjectNode();
        if (u.cpuShares() != null) {
            if (u.cpuShares() < 2 || u.cpuShares() > 262_144) {
                throw BosunException.invalid(where + ": cpu shares " + u.cpuShares() + " are outside 2..262144");
            }
            cpu.put("shares", u.cpuShares());
        }
        if (u.cpuQuotaMicros() != null) {
            if (u.cpuQuotaMicros() != -1 && u.cpuQuotaMicros() < 1000) {
                throw BosunException.invalid(where + ": cpu quota " + u.cpuQuotaMicros() + " µs is below the"
                        + " kernel's 1000 µs; give at least 1000, or -1 for none");
            }
            cpu.put("quota", u.cpuQuotaMicros());
        }
        if (u.cpuPeriodMicros() != null) {
            if (u.cpuPeriodMicros() < 1000 || u.cpuPeriodMicros() > 1_000_000) {
                throw BosunException.invalid(where + ": cpu period " + u.cpuPeriodMicros() + " µs is outside"
                        + " 1000..1000000");
            }
            cpu.put("period", u.cpuPeriodMicros());
        }
        cpuList(where, "cpuset cpus", u.cpusetCpus(), cpu, "cpus");
        cpuList(where, "cpuset mems", u.cpusetMems(), cpu, "mems");
        if (!cpu.isEmpty()) {
            resources.set("cpu", cpu);
        }
        return resources;
    }

    private static void cpuList(String where, String what, String value, ObjectNode cpu, String field) {
        if (value == null) {
            return;
        }
        if (!CPU_LIST.matcher(value).matches()) {
            throw BosunException.invalid(where + ": " + what + " '" + value + "' is not a list like 0-1,3");
        }
        cpu.put(field, value);
    }

    static void apply(PodDirectory pod, String appName, ResourceUpdate update) {
        PodDirectory.App app = OciEngine.app(pod, appName);
        String where = "app " + app.name() + " of pod " + pod.uuid();
        ObjectNode resources = json(where, update);
        if (resources.isEmpty()) {
            return;
        }
        OciEngine.appPid(pod, app); // FAILED_PRECONDITION unless it runs
        Path runtime = OciEngine.recordedRuntime(pod);
        long supervisor = OciEngine.supervisorPid(pod);
        Path file = null;
        try {
            Path dir = pod.stage1Dir().resolve(OciEngine.EXEC_DIR);
            Files.createDirectories(dir);
            file = Files.createTempFile(dir, "update-", ".json");
            Files.write(file, JSON.writeValueAsBytes(resources));
            List<String> argv = List.of(OciEngine.NSENTER, "--target", Long.toString(supervisor), "--mount", "--cgroup",
                    "--", runtime.toString(), "--root", pod.stage1Dir().resolve(OciEngine.STATE_DIR).toString(),
                    "update", "--resources", file.toString(), ContainerSpecs.appId(app.name()));
            Process p = new ProcessBuilder(argv).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(RUNTIME_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw BosunException.deadlineExceeded(runtime.getFileName() + " update of " + where
                        + " did not end within " + RUNTIME_SECONDS + " s");
            }
            if (p.exitValue() != 0) {
                throw BosunException.invalid(runtime.getFileName() + " refused the new resources of " + where + " ("
                        + resources + "): " + out);
            }
        } catch (IOException e) {
            throw BosunException.internal("cannot update the resources of " + where + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw BosunException.cancelled("the update of " + where + " was cancelled");
        } finally {
            if (file != null) {
                try {
                    Files.deleteIfExists(file);
                } catch (IOException e) {
                    // the next enter removes files older than a minute
                }
            }
        }
    }
}
