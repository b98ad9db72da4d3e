package org.bosun.api.image;

/**
 * Progress of long work (a download, a render). The CLI draws a bar per task on a terminal and
 * stays quiet otherwise.
 */
public interface Progress {
    /** Shows nothing: for callers that show no progress (the agent's own operations, tests, the API). */
    Progress NONE = (label, total) -> new Task() {
        @Override
        public void advance(long amount) {
        }

        @Override
        public void close() {
        }
    };

    /** Starts a task; {@code total} bytes, or -1 when unknown. */
    Task task(String label, long total);

    /** One task. */
    interface Task extends AutoCloseable {
        void advance(long amount);

        @Override
        void close();
    }
}
