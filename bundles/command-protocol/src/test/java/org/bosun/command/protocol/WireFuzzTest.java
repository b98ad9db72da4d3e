package org.bosun.command.protocol;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Any bytes on the agent socket, from either side: frames read until the end of the stream, each
 * invocation or outcome payload decoded. The reader either decodes or throws an {@link IOException}
 * (which ends the connection); any other exception or error is a finding, as is a decoded
 * invocation or plan that does not encode back to an equal one.
 */
class WireFuzzTest {
    @FuzzTest
    void anyBytesAreDecodedOrEndTheConnection(byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            Wire.Frame frame;
            while ((frame = Wire.readFrame(in)) != null) {
                if (frame.type() == Wire.INVOCATION) {
                    Invocation invocation = Wire.decodeInvocation(frame.payload(), 0, 0);
                    Invocation again = Wire.decodeInvocation(Wire.encode(invocation), 0, 0);
                    if (!again.equals(invocation)) {
                        throw new AssertionError("an invocation that does not survive encoding: " + invocation);
                    }
                } else if (frame.type() == Wire.OUTCOME) {
                    Outcome outcome = Wire.decodeOutcome(frame.payload());
                    if (!Wire.decodeOutcome(Wire.encode(outcome)).equals(outcome)) {
                        throw new AssertionError("an outcome that does not survive encoding: " + outcome);
                    }
                }
            }
        } catch (IOException endsTheConnection) {
            // a malformed or truncated frame: the side that reads it hangs up
        }
    }
}
