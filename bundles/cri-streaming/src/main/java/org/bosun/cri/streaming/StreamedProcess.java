package org.bosun.cri.streaming;

import java.io.InputStream;
import java.io.OutputStream;

import org.osgi.annotation.versioning.ConsumerType;

/** The far end of a session: a process (or an app) whose streams the client's streams are joined to. */
@ConsumerType
public interface StreamedProcess extends AutoCloseable {

    /** Its standard input (closed when the client closes its stdin). */
    OutputStream stdin();

    /** Its standard output, or the terminal's output. */
    InputStream stdout();

    /** Its standard error; null with a terminal. */
    InputStream stderr();

    /** Sets the terminal's size (ignored without a terminal). */
    void resize(int columns, int rows);

    /** Waits for the end and answers the exit code. */
    int waitFor() throws InterruptedException;

    /** Ends it if it still runs (the client went away) and frees what it holds. */
    @Override
    void close();
}
