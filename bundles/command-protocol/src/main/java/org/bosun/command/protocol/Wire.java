package org.bosun.command.protocol;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The agent socket protocol: length-prefixed frames, each a type byte and a payload. The client
 * sends one {@link #INVOCATION}; the agent answers with any number of {@link #STDOUT} and
 * {@link #STDERR} frames and one {@link #OUTCOME}, then closes.
 */
public final class Wire {
    /** Bumped on any incompatible change; both sides refuse a different version. */
    public static final int VERSION = 1;

    public static final byte INVOCATION = 1;
    public static final byte STDOUT = 2;
    public static final byte STDERR = 3;
    public static final byte OUTCOME = 4;

    private static final int MAX_FRAME = 16 << 20;

    /** What {@link #call} says when the agent hangs up before it sent an outcome. */
    public static final String CLOSED_BEFORE_OUTCOME = "the agent closed the connection before the command finished";

    private Wire() {
    }

    public static void writeFrame(DataOutputStream out, byte type, byte[] payload, int off, int len) throws IOException {
        out.writeByte(type);
        out.writeInt(len);
        out.write(payload, off, len);
        out.flush();
    }

    /** A frame read from the stream. */
    public record Frame(byte type, byte[] payload) {
    }

    /** The next frame, or null at the end of the stream. */
    public static Frame readFrame(DataInputStream in) throws IOException {
        int type = in.read();
        if (type < 0) {
            return null;
        }
        int len = in.readInt();
        if (len < 0 || len > MAX_FRAME) {
            throw new IOException("bad frame length " + len);
        }
        byte[] payload = new byte[len];
        in.readFully(payload);
        return new Frame((byte) type, payload);
    }

    /**
     * One command on a connection to the agent, the client's side: sends {@code invocation}, copies
     * the output frames to {@code stdout} and {@code stderr} as they come (flushing each, so a
     * progress line shows at once), and returns the outcome. An unexpected frame, or the end of the
     * stream before an outcome, is an {@link IOException}.
     */
    public static Outcome call(DataOutputStream request, DataInputStream response, Invocation invocation,
            OutputStream stdout, OutputStream stderr) throws IOException {
        byte[] payload = encode(invocation);
        writeFrame(request, INVOCATION, payload, 0, payload.length);
        Frame frame;
        while ((frame = readFrame(response)) != null) {
            switch (frame.type()) {
                case STDOUT -> {
                    stdout.write(frame.payload());
                    stdout.flush();
                }
                case STDERR -> {
                    stderr.write(frame.payload());
                    stderr.flush();
                }
                case OUTCOME -> {
                    return decodeOutcome(frame.payload());
                }
                default -> throw new IOException("unexpected frame type " + frame.type() + " from the agent");
            }
        }
        throw new EOFException(CLOSED_BEFORE_OUTCOME);
    }

    public static byte[] encode(Invocation inv) throws IOException {
        var bytes = new java.io.ByteArrayOutputStream();
        var out = new DataOutputStream(bytes);
        out.writeInt(VERSION);
        writeList(out, inv.args());
        out.writeInt(inv.environment().size());
        for (var e : inv.environment().entrySet()) {
            out.writeUTF(e.getKey());
            writeString(out, e.getValue());
        }
        out.writeUTF(inv.cwd());
        out.writeInt(inv.uid());
        out.writeInt(inv.gid());
        out.writeBoolean(inv.stdoutTerminal());
        out.writeInt(inv.columns());
        out.writeBoolean(inv.stderrTerminal());
        return bytes.toByteArray();
    }

    /** Decodes an invocation; {@code uid} and {@code gid} are replaced by the peer's credentials. */
    public static Invocation decodeInvocation(byte[] payload, int uid, int gid) throws IOException {
        var in = new DataInputStream(new java.io.ByteArrayInputStream(payload));
        checkVersion(in.readInt());
        List<String> args = readList(in);
        int n = in.readInt();
        Map<String, String> env = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            env.put(in.readUTF(), readString(in));
        }
        String cwd = in.readUTF();
        in.readInt();
        in.readInt();
        boolean tty = in.readBoolean();
        int columns = in.readInt();
        // Absent from clients older than the field: their stderr counts as no terminal.
        boolean stderrTty = in.available() > 0 && in.readBoolean();
        return new Invocation(args, env, cwd, uid, gid, tty, columns, stderrTty);
    }

    public static byte[] encode(Outcome outcome) throws IOException {
        var bytes = new java.io.ByteArrayOutputStream();
        var out = new DataOutputStream(bytes);
        out.writeInt(VERSION);
        out.writeInt(outcome.exitCode());
        ExecPlan plan = outcome.plan();
        out.writeBoolean(plan != null);
        if (plan != null) {
            writeList(out, plan.argv());
            writeList(out, plan.environment());
            out.writeUTF(plan.cwd());
            ExecPlan.Claim claim = plan.claim();
            out.writeBoolean(claim != null);
            if (claim != null) {
                out.writeUTF(claim.uuid());
                out.writeUTF(claim.lockFile());
                out.writeUTF(claim.from());
                out.writeUTF(claim.to());
                out.writeUTF(claim.pidFile());
            }
        }
        return bytes.toByteArray();
    }

    public static Outcome decodeOutcome(byte[] payload) throws IOException {
        var in = new DataInputStream(new java.io.ByteArrayInputStream(payload));
        checkVersion(in.readInt());
        int code = in.readInt();
        if (!in.readBoolean()) {
            return Outcome.exit(code);
        }
        List<String> argv = readList(in);
        List<String> env = readList(in);
        String cwd = in.readUTF();
        ExecPlan.Claim claim = null;
        if (in.readBoolean()) {
            claim = new ExecPlan.Claim(in.readUTF(), in.readUTF(), in.readUTF(), in.readUTF(), in.readUTF());
        }
        return Outcome.exec(new ExecPlan(argv, env, cwd, claim));
    }

    private static void checkVersion(int version) throws IOException {
        if (version != VERSION) {
            throw new IOException("agent protocol version " + version + " is not " + VERSION
                    + "; the agent and the bosun command come from different builds, restart the agent");
        }
    }

    // writeUTF is limited to 64 KiB; arguments and environment values may be longer.
    private static void writeString(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    private static String readString(DataInputStream in) throws IOException {
        int len = in.readInt();
        if (len < 0 || len > MAX_FRAME) {
            throw new EOFException("bad string length " + len);
        }
        byte[] b = new byte[len];
        in.readFully(b);
        return new String(b, java.nio.charset.StandardCharsets.UTF_8);
    }

    private static void writeList(DataOutputStream out, List<String> list) throws IOException {
        out.writeInt(list.size());
        for (String s : list) {
            writeString(out, s);
        }
    }

    private static List<String> readList(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > 1 << 20) {
            throw new EOFException("bad list length " + n);
        }
        List<String> list = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            list.add(readString(in));
        }
        return list;
    }

    /**
     * Sends what is written to it as frames of one type ({@link #STDOUT} or {@link #STDERR}), one a
     * write; writers on several threads share {@code out}, which each write holds while it sends.
     */
    public static final class FrameStream extends OutputStream {
        private final DataOutputStream out;
        private final byte type;

        public FrameStream(DataOutputStream out, byte type) {
            this.out = out;
            this.type = type;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return;
            }
            synchronized (out) {
                writeFrame(out, type, b, off, len);
            }
        }
    }
}
