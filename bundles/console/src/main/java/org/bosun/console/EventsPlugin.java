package org.bosun.console;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServletRequest;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.StringJoiner;
import org.apache.felix.webconsole.servlet.ServletConstants;
import org.bosun.api.RuntimePaths;
import org.bosun.api.event.BosunEvent;
import org.bosun.api.event.EventFeed;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The Events page: the data directory's journaled events of the last hour ({@code bosun events --since=1h},
 * the same EventFeed), newest first, at most {@link #MAX} of them. The agent journals its data directory's
 * events while it runs; the page reads the journal again every {@link #REFRESH_MILLIS} ms while it is open
 * and replaces its table (live by polling the journal, not a stream).
 */
@Component(service = Servlet.class, property = {
        ServletConstants.PLUGIN_LABEL + "=" + EventsPlugin.LABEL,
        ServletConstants.PLUGIN_TITLE + "=Events",
        ServletConstants.PLUGIN_CATEGORY + "=bosun" })
public final class EventsPlugin extends BosunPage {
    static final String LABEL = "bosun-events";
    static final Duration WINDOW = Duration.ofHours(1);
    static final int MAX = 500;
    static final int REFRESH_MILLIS = 2000;
    private static final long serialVersionUID = 1L;

    private final transient EventFeed feed;

    @Activate
    public EventsPlugin(BundleContext context, @Reference EventFeed feed) {
        super(context, LABEL);
        this.feed = feed;
    }

    @Override
    void render(HttpServletRequest request, PrintWriter out) {
        Instant now = Instant.now();
        render(out, paths, feed.journal(paths, now.minus(WINDOW), null), now);
    }

    /** The table, newest first, and the script that refreshes its rows and status line (the table keeps the console's styling). */
    static void render(PrintWriter out, RuntimePaths paths, List<BosunEvent> journal, Instant now) {
        List<BosunEvent> events = new ArrayList<>(journal.subList(Math.max(0, journal.size() - MAX), journal.size()));
        Collections.reverse(events);
        out.println("<p class='statline' id='bosun-events-status'>" + events.size() + " events of the last hour in "
                + Html.esc(paths.dataDir()) + " (newest first" + (journal.size() > MAX ? ", the last " + MAX : "")
                + "), read at " + Html.esc(now) + "</p>");
        out.println("<table class='nicetable' id='bosun-events'><thead><tr><th>Time</th><th>Kind</th><th>Status</th>"
                + "<th>Subject</th><th>Details</th></tr></thead><tbody>");
        for (BosunEvent e : events) {
            out.println("<tr><td class='time'>" + Html.esc(e.timestamp()) + "</td><td class='kind'>"
                    + Html.esc(e.type().kind()) + "</td><td class='status'>" + Html.esc(e.type().status())
                    + "</td><td class='subject' style='word-break:break-all'>" + Html.esc(subject(e))
                    + "</td><td class='details' style='word-break:break-all'>"
                    + Html.esc(details(e)) + "</td></tr>");
        }
        out.println("</tbody></table>");
        // Live: the page reads itself again and takes the new table and status line.
        out.println("<script>(function () {"
                + "var busy = false;"
                + "setInterval(function () {"
                + " if (busy) { return; } busy = true;"
                + " fetch(window.location.href, {credentials: 'same-origin'}).then(function (r) { return r.ok ? r.text() : null; })"
                + " .then(function (html) {"
                + "  if (html) {"
                + "   var doc = new DOMParser().parseFromString(html, 'text/html');"
                + "   [['#bosun-events tbody', 'innerHTML'], ['#bosun-events-status', 'textContent']].forEach(function (p) {"
                + "    var fresh = doc.querySelector(p[0]), old = document.querySelector(p[0]);"
                + "    if (fresh && old) { old[p[1]] = fresh[p[1]]; } });"
                + "  } }).finally(function () { busy = false; });"
                + "}, " + REFRESH_MILLIS + "); })();</script>");
    }

    /** What the event is about, as {@code bosun events} prints it: the pod, else the image, else the bundle. */
    static String subject(BosunEvent e) {
        String id = e.pod() != null ? e.pod() : e.image() != null ? e.image() : e.attributes().get(BosunEvent.BUNDLE);
        return id == null ? "" : id;
    }

    /** The rest of the event, as {@code bosun events} prints it in parentheses (the attributes sorted by name). */
    static String details(BosunEvent e) {
        StringJoiner details = new StringJoiner(", ");
        if (e.app() != null) {
            details.add("app=" + e.app());
        }
        if (e.pod() != null && e.image() != null) {
            details.add("image=" + e.image());
        }
        new java.util.TreeMap<>(e.attributes()).forEach((k, v) -> {
            if (!k.equals(BosunEvent.BUNDLE) || e.pod() != null || e.image() != null) {
                details.add(k + "=" + v);
            }
        });
        return details.toString();
    }
}
