package org.bosun.console;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.bosun.api.BosunException;
import org.bosun.api.image.Progress;

/**
 * The Images page's fetches: each runs on a thread of its own while the page that asked for it shows
 * its progress (the same {@link Progress} tasks the CLI draws as bars), read as JSON every moment. A
 * fetch ends with its image's id or the fetch's error, the CLI's words; finished ones stay listed for
 * {@link #KEEP}. At most {@link #MAX_RUNNING} run at once: a fetch holds a download and the disk.
 */
final class FetchJobs {
    static final int MAX_RUNNING = 4;
    static final Duration KEEP = Duration.ofMinutes(15);
    /** The most finished fetches kept, the oldest dropped first. */
    static final int MAX_KEPT = 20;

    enum State { RUNNING, DONE, FAILED }

    /** One task of a fetch (a blob's download, a render), as far as it got: a bar on the page. */
    static final class Step implements Progress.Task {
        final String label;
        final long total;
        final AtomicLong done = new AtomicLong();
        volatile boolean closed;

        Step(String label, long total) {
            this.label = label;
            this.total = total;
        }

        @Override
        public void advance(long amount) {
            done.addAndGet(amount);
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    /** One fetch: its reference, its tasks, and once ended its image id or its error. */
    static final class Job implements Progress {
        final String id;
        final String reference;
        final Instant started;
        final List<Step> tasks = new CopyOnWriteArrayList<>();
        volatile State state = State.RUNNING;
        volatile String outcome;
        volatile Instant ended;
        volatile Thread thread;

        Job(String id, String reference, Instant started) {
            this.id = id;
            this.reference = reference;
            this.started = started;
        }

        @Override
        public Progress.Task task(String label, long total) {
            Step t = new Step(label, total);
            tasks.add(t);
            return t;
        }
    }

    private final Map<String, Job> jobs = Collections.synchronizedMap(new LinkedHashMap<>());
    private final AtomicLong next = new AtomicLong();

    /**
     * Starts {@code fetch} (given the job as its progress; it returns the image's id) for
     * {@code reference}; UNAVAILABLE while {@link #MAX_RUNNING} fetches run.
     */
    Job start(String reference, Function<Job, String> fetch) {
        Job job;
        synchronized (jobs) {
            expire(Instant.now());
            long running = jobs.values().stream().filter(j -> j.state == State.RUNNING).count();
            if (running >= MAX_RUNNING) {
                throw BosunException.unavailable(running + " fetches are running, the most the console runs at once;"
                        + " wait for one to end");
            }
            job = new Job(Long.toString(next.incrementAndGet()), reference, Instant.now());
            jobs.put(job.id, job);
        }
        Job running = job;
        Thread t = new Thread(() -> {
            try {
                running.outcome = fetch.apply(running);
                running.state = State.DONE;
            } catch (BosunException e) {
                running.outcome = e.getMessage();
                running.state = State.FAILED;
            } catch (RuntimeException | Error e) {
                running.outcome = "the fetch failed: " + e;
                running.state = State.FAILED;
            } finally {
                running.ended = Instant.now();
                running.tasks.forEach(Step::close);
            }
        }, "bosun-console-fetch-" + job.id);
        t.setDaemon(true);
        job.thread = t;
        t.start();
        return job;
    }

    Job get(String id) {
        return jobs.get(id);
    }

    /** The fetches, newest first. */
    List<Job> list() {
        List<Job> all;
        synchronized (jobs) {
            expire(Instant.now());
            all = new ArrayList<>(jobs.values());
        }
        Collections.reverse(all);
        return all;
    }

    /** Interrupts the running fetches: the plugin goes. */
    void stop() {
        list().stream().filter(j -> j.state == State.RUNNING && j.thread != null).forEach(j -> j.thread.interrupt());
    }

    /** Drops finished fetches older than {@link #KEEP}, and the oldest finished beyond {@link #MAX_KEPT}. */
    private void expire(Instant now) {
        jobs.values().removeIf(j -> j.ended != null && j.ended.plus(KEEP).isBefore(now));
        List<Job> ended = jobs.values().stream().filter(j -> j.ended != null).toList();
        for (int i = 0; i < ended.size() - MAX_KEPT; i++) {
            jobs.remove(ended.get(i).id);
        }
    }

    /** A fetch as its page reads it: {@code {"id","reference","state","outcome","tasks":[{"label","total","done"}]}}. */
    static String json(Job job) {
        StringBuilder b = new StringBuilder("{\"id\":").append(Html.json(job.id)).append(",\"reference\":")
                .append(Html.json(job.reference)).append(",\"state\":").append(Html.json(job.state.name().toLowerCase(
                        java.util.Locale.ROOT))).append(",\"outcome\":")
                .append(job.outcome == null ? "null" : Html.json(job.outcome)).append(",\"tasks\":[");
        String sep = "";
        for (Step t : job.tasks) {
            b.append(sep).append("{\"label\":").append(Html.json(t.label)).append(",\"total\":").append(t.total)
                    .append(",\"done\":").append(t.done.get()).append('}');
            sep = ",";
        }
        return b.append("]}").toString();
    }
}
