package org.bosun.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.bosun.command.protocol.Invocation;

/** Sessions as the command service builds them, with no framework and no pod service. */
final class Sessions {
    static final String CWD = "/work";

    private Sessions() {
    }

    static Session inWork() {
        return in(CWD);
    }

    static Session in(String cwd) {
        PrintStream out = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        return new Session(new Invocation(List.of(), Map.of(), cwd, 0, 0, false, 0), out, err, null, null, null);
    }
}
