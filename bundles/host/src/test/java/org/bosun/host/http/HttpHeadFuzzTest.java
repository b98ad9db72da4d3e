package org.bosun.host.http;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Locale;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Any bytes a client sends: the head is refused (an {@link IOException}), or it was read exactly to
 * its blank line, within the limit, into a request line of three parts and lower-case header names.
 * Any other exception, or a byte read past the blank line, is a finding.
 */
class HttpHeadFuzzTest {
    private static final int LIMIT = 1024;

    @FuzzTest
    void anyBytesAreAHeadReadToItsBlankLineOrRefused(byte[] wire) {
        ByteArrayInputStream in = new ByteArrayInputStream(wire);
        HttpHead head;
        try {
            head = HttpHead.read(in, LIMIT);
        } catch (IOException refused) {
            return;
        }
        int read = wire.length - in.available();
        if (read > LIMIT || read < 2 || wire[read - 1] != '\n'
                || !(wire[read - 2] == '\n' || read >= 3 && wire[read - 2] == '\r' && wire[read - 3] == '\n')) {
            throw new AssertionError("the head was not read exactly to its blank line: " + read + " bytes");
        }
        if (head.method().isEmpty() || head.method().contains(" ") || head.path().contains("?")) {
            throw new AssertionError("a request line read wrong: " + head);
        }
        head.headers().keySet().forEach(name -> {
            if (name.isEmpty() || !name.equals(name.toLowerCase(Locale.ROOT))) {
                throw new AssertionError("a header name kept its case or is empty: '" + name + "'");
            }
        });
    }
}
