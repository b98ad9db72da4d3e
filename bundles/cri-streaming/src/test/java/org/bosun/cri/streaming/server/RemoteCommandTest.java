package org.bosun.cri.streaming.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class RemoteCommandTest {

    /**
     * A process's stdin is buffered (Process.getOutputStream): a line the client sent reaches the
     * process while the client's input stays open, as an attach or an interactive exec needs.
     */
    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void eachLineTheClientSendsReachesTheProcessBeforeTheInputEnds() throws Exception {
        PipedOutputStream client = new PipedOutputStream();
        PipedInputStream fromClient = new PipedInputStream(client);
        ByteArrayOutputStream process = new ByteArrayOutputStream();
        Thread copy = RemoteCommand.daemon("test-stdin",
                () -> RemoteCommand.copyThenClose(fromClient, new BufferedOutputStream(process, 8192)));
        client.write("ping\n".getBytes(StandardCharsets.UTF_8));
        client.flush();
        long end = System.nanoTime() + 5_000_000_000L;
        while (process.size() == 0 && System.nanoTime() < end) {
            Thread.sleep(10);
        }
        assertEquals("ping\n", process.toString(StandardCharsets.UTF_8));
        client.close();
        copy.join(5000);
    }
}
