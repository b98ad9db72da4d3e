package org.bosun.cli;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.Callable;

import org.bosun.api.BosunException;
import org.bosun.api.event.BosunEvent;
import org.bosun.api.event.EventFeed;
import org.osgi.framework.ServiceReference;

import com.fasterxml.jackson.core.JsonProcessingException;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bosun events}: the data directory's events as they happen (as {@code podman events}),
 * whoever causes them, after those of the journal since {@code --since}; until {@code --until}, or
 * until interrupted.
 */
@Command(name = "events", description = "Show the events of pods, apps, images and bundles as they happen (pods"
        + " started by any bosun, in any shell), from the journal since --since, until --until or Ctrl-C.")
final class EventsCommand implements Callable<Integer> {
    @picocli.CommandLine.Mixin
    HelpOption help;

    @Option(names = "--since", paramLabel = "DURATION|TIME",
            description = "first the journaled events since then: a duration ago (10m, 1h30m) or a time"
                    + " (2026-12-07T10:00:00Z, or local 2026-12-07T10:00:00)")
    String since;

    @Option(names = "--until", paramLabel = "DURATION|TIME",
            description = "stop at that time: a duration from now (10s) or a time; one in the past only replays the journal")
    String until;

    @Option(names = "--format", paramLabel = "FORMAT", converter = OutputFormat.Converter.class,
            description = "json: one JSON object per line (the journal's form); default: one line of text per event")
    OutputFormat format = OutputFormat.TABULAR;

    private final Session session;

    EventsCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() {
        Instant now = Instant.now();
        Instant from = since == null ? null : time(since, "--since", now, true);
        Instant to = until == null ? null : time(until, "--until", now, false);
        ServiceReference<EventFeed> ref = session.context == null ? null
                : session.context.getServiceReference(EventFeed.class);
        EventFeed feed = ref == null ? null : session.context.getService(ref);
        if (feed == null) {
            throw BosunException.unavailable("the event service (bundle org.bosun.events) is not running in this"
                    + " platform; it is in the events and agent features");
        }
        try {
            return stream(feed, from, to);
        } finally {
            session.context.ungetService(ref);
        }
    }

    private int stream(EventFeed feed, Instant from, Instant to) {
        boolean live = to == null || to.isAfter(Instant.now());
        LinkedBlockingQueue<BosunEvent> queue = new LinkedBlockingQueue<>();
        // Followed before the journal is read, so nothing falls between them; what both give is printed once.
        EventFeed.Subscription subscription = live ? feed.follow(session.paths(), queue::add) : null;
        if (live) {
            session.debug("following the events of " + session.paths().dataDir());
        }
        try {
            Set<Map<String, Object>> replayed = new HashSet<>();
            if (from != null) {
                for (BosunEvent e : feed.journal(session.paths(), from, to)) {
                    replayed.add(e.toProperties());
                    print(e);
                }
                session.out.flush();
            }
            while (live) {
                BosunEvent e;
                if (to == null) {
                    e = queue.take();
                } else {
                    long wait = Duration.between(Instant.now(), to).toMillis();
                    if (wait <= 0) {
                        break;
                    }
                    e = queue.poll(wait, TimeUnit.MILLISECONDS);
                    if (e == null) {
                        break;
                    }
                }
                if (replayed.isEmpty() || !replayed.contains(e.toProperties())) {
                    print(e);
                    session.out.flush();
                }
            }
        } catch (InterruptedException e) {
            // the caller hung up (Ctrl-C through the agent)
            Thread.currentThread().interrupt();
        } finally {
            if (subscription != null) {
                subscription.close();
            }
        }
        session.out.flush();
        return 0;
    }

    private void print(BosunEvent e) {
        if (format != OutputFormat.TABULAR) {
            try {
                session.out.println(PodJson.JSON.writeValueAsString(e.toProperties()));
            } catch (JsonProcessingException x) {
                throw BosunException.internal("cannot write event " + e + " as JSON: " + x.getMessage(), x);
            }
            return;
        }
        StringBuilder line = new StringBuilder();
        line.append(e.timestamp()).append(' ').append(e.type().kind()).append(' ').append(e.type().status());
        String id = e.pod() != null ? e.pod() : e.image() != null ? e.image() : e.attributes().get(BosunEvent.BUNDLE);
        if (id != null) {
            line.append(' ').append(id);
        }
        StringJoiner details = new StringJoiner(", ", " (", ")").setEmptyValue("");
        if (e.app() != null) {
            details.add("app=" + e.app());
        }
        if (e.pod() != null && e.image() != null) {
            details.add("image=" + e.image());
        }
        e.attributes().forEach((k, v) -> {
            if (!k.equals(BosunEvent.BUNDLE) || e.pod() != null || e.image() != null) {
                details.add(k + "=" + v);
            }
        });
        session.out.println(line.append(details));
    }

    /** A duration (before now for --since, after it for --until) or a time, UTC ISO-8601 or local. */
    static Instant time(String text, String flag, Instant now, boolean past) {
        String s = text.trim();
        if (!s.isEmpty() && (Character.isDigit(s.charAt(0))) && !s.contains("-") && !s.contains(":")) {
            Duration d = Durations.parse(s, flag);
            return past ? now.minus(d) : now.plus(d);
        }
        try {
            return Instant.parse(s);
        } catch (DateTimeParseException e) {
            try {
                return LocalDateTime.parse(s).atZone(ZoneId.systemDefault()).toInstant();
            } catch (DateTimeParseException e2) {
                throw BosunException.invalid("'" + text + "' is not a duration or a time for " + flag
                        + "; write it like 10m, 1h30m, 2026-12-07T10:00:00Z or 2026-12-07T10:00:00");
            }
        }
    }

}
