package org.bosun.image.appc;

import java.net.URI;

import org.bosun.api.BosunException;

/** What the fuzz targets hold every answer to, beyond "no unexpected exception". */
final class FuzzFindings {
    private FuzzFindings() {
    }

    /** A refusal is one line: an image's own text must not add lines to bosun's output. */
    static void assertOneLine(BosunException refused) {
        if (refused.getMessage().contains("\n") || refused.getMessage().contains("\r")) {
            throw new AssertionError("a refusal of more than one line: " + refused.getMessage());
        }
    }

    static void assertAbsolute(URI uri) {
        if (!uri.isAbsolute() || uri.getHost() == null) {
            throw new AssertionError("not an absolute URL with a host: " + uri);
        }
    }
}
