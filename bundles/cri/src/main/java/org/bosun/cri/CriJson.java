package org.bosun.cri;

import java.util.List;

import org.bosun.api.net.NetworkAttachment;

/** The JSON values of a verbose status's info map. */
final class CriJson {
    private CriJson() {
    }

    static String quote(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    static String networks(List<NetworkAttachment> networks) {
        StringBuilder out = new StringBuilder("[");
        for (NetworkAttachment a : networks) {
            if (out.length() > 1) {
                out.append(',');
            }
            out.append("{\"network\":").append(quote(String.valueOf(a.network()))).append(",\"interface\":")
                    .append(quote(String.valueOf(a.interfaceName()))).append(",\"address\":")
                    .append(quote(String.valueOf(a.address()))).append('}');
        }
        return out.append(']').toString();
    }
}
