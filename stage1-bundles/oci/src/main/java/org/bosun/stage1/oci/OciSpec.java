package org.bosun.stage1.oci;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * The part of the OCI runtime spec 1.0.2 ({@code config.json}) the engine writes, as records: a
 * field that is null is not written; a list that is empty is written empty. Each record's fields
 * are in the order they are written. {@link SpecOpt}s build a spec, one concern each; the
 * {@code with...} methods are how they change it.
 */
record OciSpec(String ociVersion, Process process, Root root, String hostname, List<Mount> mounts, Linux linux,
        Map<String, String> annotations, Hooks hooks) {
    static final String VERSION = "1.0.2";
    /** Nothing but the version: what every container's spec starts from. */
    static final OciSpec EMPTY = new OciSpec(VERSION, null, null, null, null, null, null, null);

    OciSpec withProcess(Process process) {
        return new OciSpec(ociVersion, process, root, hostname, mounts, linux, annotations, hooks);
    }

    OciSpec process(UnaryOperator<Process> change) {
        return withProcess(change.apply(process));
    }

    OciSpec withRoot(Root root) {
        return new OciSpec(ociVersion, process, root, hostname, mounts, linux, annotations, hooks);
    }

    OciSpec withHostname(String hostname) {
        return new OciSpec(ociVersion, process, root, hostname, mounts, linux, annotations, hooks);
    }

    OciSpec withMounts(List<Mount> mounts) {
        return new OciSpec(ociVersion, process, root, hostname, List.copyOf(mounts), linux, annotations, hooks);
    }

    /** The spec with its mounts and {@code more} after them. */
    OciSpec withMoreMounts(List<Mount> more) {
        List<Mount> all = new ArrayList<>(mounts == null ? List.of() : mounts);
        all.addAll(more);
        return withMounts(all);
    }

    OciSpec withLinux(Linux linux) {
        return new OciSpec(ociVersion, process, root, hostname, mounts, linux, annotations, hooks);
    }

    OciSpec linux(UnaryOperator<Linux> change) {
        return withLinux(change.apply(linux == null ? Linux.EMPTY : linux));
    }

    OciSpec withAnnotation(String key, String value) {
        Map<String, String> all = new LinkedHashMap<>(annotations == null ? Map.of() : annotations);
        all.put(key, value);
        return new OciSpec(ociVersion, process, root, hostname, mounts, linux, all, hooks);
    }

    OciSpec withHooks(Hooks hooks) {
        return new OciSpec(ociVersion, process, root, hostname, mounts, linux, annotations, hooks);
    }

    OciSpec hooks(UnaryOperator<Hooks> change) {
        return withHooks(change.apply(hooks == null ? Hooks.NONE : hooks));
    }

    /** {@code rlimits}, {@code oomScoreAdj} and {@code selinuxLabel} may be null. */
    record Process(boolean terminal, User user, List<String> args, List<String> env, String cwd,
            Capabilities capabilities, List<Rlimit> rlimits, boolean noNewPrivileges, Integer oomScoreAdj,
            String selinuxLabel) {
        Process withCapabilities(Capabilities capabilities, boolean noNewPrivileges) {
            return new Process(terminal, user, args, env, cwd, capabilities, rlimits, noNewPrivileges, oomScoreAdj,
                    selinuxLabel);
        }

        Process withOomScoreAdj(Integer oomScoreAdj) {
            return new Process(terminal, user, args, env, cwd, capabilities, rlimits, noNewPrivileges, oomScoreAdj,
                    selinuxLabel);
        }

        Process withSelinuxLabel(String selinuxLabel) {
            return new Process(terminal, user, args, env, cwd, capabilities, rlimits, noNewPrivileges, oomScoreAdj,
                    selinuxLabel);
        }
    }

    /** {@code additionalGids} is null for none. */
    record User(long uid, long gid, List<Long> additionalGids) {
    }

    record Capabilities(List<String> bounding, List<String> effective, List<String> permitted, List<String> inheritable,
            List<String> ambient) {
    }

    record Rlimit(String type, long hard, long soft) {
    }

    record Root(String path, boolean readonly) {
    }

    record Mount(String destination, String type, String source, List<String> options) {
    }

    /** Every field may be null but the two path lists, which runc would otherwise fill with its defaults. */
    record Linux(List<Namespace> namespaces, List<IdMapping> uidMappings, List<IdMapping> gidMappings,
            String cgroupsPath, Resources resources, List<String> maskedPaths, List<String> readonlyPaths,
            Seccomp seccomp, String mountLabel, String rootfsPropagation) {
        static final Linux EMPTY = new Linux(null, null, null, null, null, null, null, null, null, null);

        Linux withNamespaces(List<Namespace> namespaces) {
            return new Linux(List.copyOf(namespaces), uidMappings, gidMappings, cgroupsPath, resources, maskedPaths,
                    readonlyPaths, seccomp, mountLabel, rootfsPropagation);
        }

        /** The namespaces and {@code more} after them. */
        Linux withMoreNamespaces(List<Namespace> more) {
            List<Namespace> all = new ArrayList<>(namespaces == null ? List.of() : namespaces);
            all.addAll(more);
            return withNamespaces(all);
        }

        Linux withIdMappings(List<IdMapping> uids, List<IdMapping> gids) {
            return new Linux(namespaces, uids, gids, cgroupsPath, resources, maskedPaths, readonlyPaths, seccomp,
                    mountLabel, rootfsPropagation);
        }

        Linux withCgroupsPath(String cgroupsPath) {
            return new Linux(namespaces, uidMappings, gidMappings, cgroupsPath, resources, maskedPaths, readonlyPaths,
                    seccomp, mountLabel, rootfsPropagation);
        }

        Linux withResources(Resources resources) {
            return new Linux(namespaces, uidMappings, gidMappings, cgroupsPath, resources, maskedPaths, readonlyPaths,
                    seccomp, mountLabel, rootfsPropagation);
        }

        Linux withPaths(List<String> maskedPaths, List<String> readonlyPaths) {
            return new Linux(namespaces, uidMappings, gidMappings, cgroupsPath, resources, List.copyOf(maskedPaths),
                    List.copyOf(readonlyPaths), seccomp, mountLabel, rootfsPropagation);
        }

        Linux withSeccomp(Seccomp seccomp) {
            return new Linux(namespaces, uidMappings, gidMappings, cgroupsPath, resources, maskedPaths, readonlyPaths,
                    seccomp, mountLabel, rootfsPropagation);
        }

        Linux withRootfsPropagation(String rootfsPropagation) {
            return new Linux(namespaces, uidMappings, gidMappings, cgroupsPath, resources, maskedPaths, readonlyPaths,
                    seccomp, mountLabel, rootfsPropagation);
        }

        Linux withMountLabel(String mountLabel) {
            return new Linux(namespaces, uidMappings, gidMappings, cgroupsPath, resources, maskedPaths, readonlyPaths,
                    seccomp, mountLabel, rootfsPropagation);
        }
    }

    /** {@code path} is null for a new namespace, else the one to join. */
    record Namespace(String type, String path) {
        static Namespace created(String type) {
            return new Namespace(type, null);
        }
    }

    record IdMapping(long containerID, long hostID, long size) {
    }

    /** {@code memory} and {@code cpu} may be null. */
    record Resources(List<DeviceRule> devices, Memory memory, Cpu cpu) {
    }

    /** {@code type}, {@code major} and {@code minor} are null for any. */
    record DeviceRule(boolean allow, String type, Long major, Long minor, String access) {
    }

    record Memory(long limit) {
    }

    /** Each field may be null. */
    record Cpu(Long shares, Long quota, Long period) {
    }

    /**
     * The {@code linux.seccomp} section: the profile a security module recorded for the app, which
     * is OCI JSON already, and reaches the runtime as it is, every field of it (the runtimes know
     * more of them than the engine needs to).
     */
    record Seccomp(@JsonValue JsonNode profile) {
    }

    /** Either list may be null. */
    record Hooks(List<Hook> createRuntime, List<Hook> poststart) {
        static final Hooks NONE = new Hooks(null, null);

        Hooks withCreateRuntime(Hook hook) {
            return new Hooks(appended(createRuntime, hook), poststart);
        }

        Hooks withPoststart(Hook hook) {
            return new Hooks(createRuntime, appended(poststart, hook));
        }

        private static List<Hook> appended(List<Hook> hooks, Hook hook) {
            List<Hook> all = new ArrayList<>(hooks == null ? List.of() : hooks);
            all.add(hook);
            return List.copyOf(all);
        }
    }

    record Hook(String path, List<String> args) {
    }
}
