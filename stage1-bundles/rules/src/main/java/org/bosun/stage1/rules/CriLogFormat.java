package org.bosun.stage1.rules;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The writer of an added app's output in the Kubernetes CRI log format ({@code org.bosun.api.app.AppIo}'s
 * {@code cri-log PATH}), one for every engine: two awk programs, each engine running them as its
 * own plumbing needs. {@link #FORWARDER} ({@code cri-forward.awk}), one per stream, tags each line
 * of the app's stdout or stderr with its stream and cuts it into parts of at most {@link #PART_MAX}
 * bytes; {@link #WRITER} ({@code cri-log.awk}) reads both forwarders' pipe, stamps each part with
 * the time ({@code RFC3339Nano stream P|F text}), appends it to the CRI log, writes the text alone
 * into the app's log, and reopens the CRI log when a line {@code reopen ID} asks it (a kubelet's
 * ReopenContainerLog), answering with the file {@code IO/reply-ID}. The programs' heads say which
 * environment variables they read. The oci engine's supervisor runs them on the host; the nspawn
 * engine in a unit of the pod's systemd.
 */
public final class CriLogFormat {
    /** The forwarder's file name, and its resource's. */
    public static final String FORWARDER = "cri-forward.awk";
    /** The writer's file name, and its resource's. */
    public static final String WRITER = "cri-log.awk";
    /** The longest part of a line, so that a tagged part and its newline are one atomic pipe write. */
    public static final int PART_MAX = 4086;

    private CriLogFormat() {
    }

    /** The constant text of {@link #FORWARDER} or {@link #WRITER}. */
    public static String program(String name) {
        if (!name.equals(FORWARDER) && !name.equals(WRITER)) {
            throw new IllegalArgumentException("no CRI log program " + name);
        }
        try (InputStream in = CriLogFormat.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("the stage1 rules bundle lacks its program " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
