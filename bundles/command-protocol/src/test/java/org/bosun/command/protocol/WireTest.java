package org.bosun.command.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** The client's side of one command ({@link Wire#call}) against the frames an agent sends. */
class WireTest {
    private static final Invocation LIST = new Invocation(List.of("list", "--full"), Map.of("HOME", "/root"), "/tmp", 0, 0,
            false, 80);

    @Test
    void sendsTheInvocationAndRelaysOutputInOrderUntilTheOutcome() throws IOException {
        ByteArrayOutputStream agent = new ByteArrayOutputStream();
        DataOutputStream frames = new DataOutputStream(agent);
        frame(frames, Wire.STDOUT, "UUID APP\n");
        frame(frames, Wire.STDERR, "warning: one\n");
        frame(frames, Wire.STDOUT, "1234 busybox\n");
        byte[] outcome = Wire.encode(Outcome.exit(5));
        Wire.writeFrame(frames, Wire.OUTCOME, outcome, 0, outcome.length);
        frame(frames, Wire.STDOUT, "after the outcome: never read\n");

        ByteArrayOutputStream request = new ByteArrayOutputStream();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Outcome result = Wire.call(new DataOutputStream(request), input(agent), LIST, out, err);

        assertEquals(5, result.exitCode());
        assertEquals("UUID APP\n1234 busybox\n", out.toString(StandardCharsets.UTF_8));
        assertEquals("warning: one\n", err.toString(StandardCharsets.UTF_8));
        Wire.Frame sent = Wire.readFrame(input(request));
        assertEquals(Wire.INVOCATION, sent.type());
        Invocation decoded = Wire.decodeInvocation(sent.payload(), 7, 8);
        assertEquals(LIST.args(), decoded.args());
        assertEquals(LIST.environment(), decoded.environment());
        assertEquals("/tmp", decoded.cwd());
        assertEquals(7, decoded.uid(), "the agent takes the peer's credentials, not the client's word");
    }

    @Test
    void anAgentThatHangsUpBeforeTheOutcomeIsAnError() throws IOException {
        ByteArrayOutputStream agent = new ByteArrayOutputStream();
        frame(new DataOutputStream(agent), Wire.STDOUT, "partial");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        EOFException e = assertThrows(EOFException.class,
                () -> Wire.call(new DataOutputStream(new ByteArrayOutputStream()), input(agent), LIST, out,
                        new ByteArrayOutputStream()));
        assertEquals(Wire.CLOSED_BEFORE_OUTCOME, e.getMessage());
        assertEquals("partial", out.toString(StandardCharsets.UTF_8), "what came before is still relayed");
    }

    @Test
    void aFrameOnlyAClientSendsIsRefusedFromTheAgent() throws IOException {
        ByteArrayOutputStream agent = new ByteArrayOutputStream();
        frame(new DataOutputStream(agent), Wire.INVOCATION, "x");
        IOException e = assertThrows(IOException.class,
                () -> Wire.call(new DataOutputStream(new ByteArrayOutputStream()), input(agent), LIST,
                        new ByteArrayOutputStream(), new ByteArrayOutputStream()));
        assertEquals("unexpected frame type 1 from the agent", e.getMessage());
    }

    private static void frame(DataOutputStream out, byte type, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        Wire.writeFrame(out, type, bytes, 0, bytes.length);
    }

    private static DataInputStream input(ByteArrayOutputStream written) {
        return new DataInputStream(new ByteArrayInputStream(written.toByteArray()));
    }
}
