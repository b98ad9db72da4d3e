package org.bosun.cri.streaming.server;

import java.util.List;
import java.util.Map;

/**
 * The frames of SPDY/3.1 (draft-mbelshe-httpbis-spdy-00 with the 3.1 session window), as values.
 * Header names are lower case, as the draft requires on the wire.
 */
sealed interface SpdyFrame {
    int FLAG_FIN = 0x01;
    int FLAG_UNIDIRECTIONAL = 0x02;

    record Data(int streamId, boolean fin, byte[] data) implements SpdyFrame {
    }

    record SynStream(int streamId, int associatedId, int priority, boolean fin, boolean unidirectional,
            Map<String, List<String>> headers) implements SpdyFrame {
        /** The first value of a header, or null. */
        String header(String name) {
            List<String> values = headers.get(name);
            return values == null || values.isEmpty() ? null : values.get(0);
        }
    }

    record SynReply(int streamId, boolean fin, Map<String, List<String>> headers) implements SpdyFrame {
    }

    record RstStream(int streamId, int status) implements SpdyFrame {
        static final int PROTOCOL_ERROR = 1;
        static final int INVALID_STREAM = 2;
        static final int REFUSED_STREAM = 3;
        static final int CANCEL = 5;
    }

    record Settings(Map<Integer, Integer> values) implements SpdyFrame {
    }

    record Ping(int id) implements SpdyFrame {
    }

    record GoAway(int lastGoodStreamId, int status) implements SpdyFrame {
    }

    record Headers(int streamId, boolean fin, Map<String, List<String>> headers) implements SpdyFrame {
    }

    record WindowUpdate(int streamId, int delta) implements SpdyFrame {
    }
}
