package org.bosun.console;

/** Text put into the console's pages: escaped for HTML element content and attribute values. */
final class Html {
    private Html() {
    }

    static String esc(Object value) {
        String s = String.valueOf(value);
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    /** The outcome of an action, shown above the page: an error in the console's error style. */
    static void message(java.io.PrintWriter out, String message, boolean error) {
        if (message != null) {
            out.println("<p class='statline " + (error ? "ui-state-error" : "ui-state-highlight") + "' id='bosun-message'>"
                    + esc(message) + "</p>");
        }
    }

    /**
     * A POST form of one button: the form token, {@code action}, and one more field when {@code field} is
     * not null.
     */
    static String form(String target, String token, String action, String field, String value, String label,
            String id, String cssClass) {
        return "<form method='post' action='" + esc(target) + "' style='display:inline'>"
                + "<input type='hidden' name='" + FormToken.FIELD + "' value='" + esc(token) + "'>"
                + "<input type='hidden' name='action' value='" + esc(action) + "'>"
                + (field == null ? "" : "<input type='hidden' name='" + esc(field) + "' value='" + esc(value) + "'>")
                + "<button type='submit' class='" + esc(id) + " " + esc(cssClass) + "'" + " id='" + esc(id)
                + (value == null ? "" : "-" + esc(value)) + "'>" + esc(label) + "</button></form>";
    }

    /**
     * A JSON string: quoted, with quotes, backslashes and control characters escaped, and {@code <}, {@code >},
     * {@code &} and the line separators U+2028, U+2029 as JSON escapes too, so that the text can stand anywhere in a page.
     */
    static String json(String value) {
        StringBuilder b = new StringBuilder(value.length() + 16).append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                default -> {
                    if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == '\u2028' || c == '\u2029') {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
