package org.bosun.stage1.rules;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * {@code ttyhold}, the holder of an added app's attachable streams that every engine runs alike, a
 * Python 3 program (Debian's /usr/bin/python3) that serves the attach protocol of
 * {@code org.bosun.api.app.AppIo}: a {@code tty} app's terminal on the unix socket
 * {@code apps/NAME/tty} (its output into the app's log and to every attached client, the clients'
 * input and window sizes to it). How it gets the terminal is the engine's: the oci engine has it run
 * the container with the OCI console socket and keep the master it receives; the nspawn engine has it
 * open a pseudo-terminal in the pod, whose slave the app's unit is given ({@code TTYPath=}). It also
 * keeps a {@code stream} app's stdin FIFO open for the nspawn engine, so the app's input never ends
 * when an attached caller goes. The program's head says how it is called.
 */
public final class TerminalHolder {
    /** The interpreter the holder needs. */
    public static final String PYTHON = "/usr/bin/python3";

    private TerminalHolder() {
    }

    /** The holder's constant text. */
    public static String program() {
        try (InputStream in = TerminalHolder.class.getResourceAsStream("ttyhold")) {
            if (in == null) {
                throw new IllegalStateException("the stage1 rules bundle lacks its ttyhold program");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
