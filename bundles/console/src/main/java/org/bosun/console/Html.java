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

    /** A size as the CLI prints it: bytes, KiB, MiB, GiB, TiB with one decimal. */
    static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        double v = n;
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        int i = -1;
        while (v >= 1024 && i < units.length - 1) {
            v /= 1024;
            i++;
        }
        return String.format(java.util.Locale.ROOT, "%.1f %s", v, units[i]);
    }

    /** A time as the CLI's lists print it: "never", or how long ago. */
    static String ago(java.time.Instant t, java.time.Instant now) {
        if (t == null) {
            return "never";
        }
        long s = Math.max(0, java.time.Duration.between(t, now).getSeconds());
        if (s < 60) {
            return s + (s == 1 ? " second ago" : " seconds ago");
        }
        if (s < 3600) {
            return s / 60 + (s / 60 == 1 ? " minute ago" : " minutes ago");
        }
        if (s < 86400) {
            return s / 3600 + (s / 3600 == 1 ? " hour ago" : " hours ago");
        }
        return s / 86400 + (s / 86400 == 1 ? " day ago" : " days ago");
    }
}
