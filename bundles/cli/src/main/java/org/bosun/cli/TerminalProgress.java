package org.bosun.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

import org.bosun.api.image.Progress;
import org.bosun.api.text.HumanText;

/**
 * Progress bars on the caller's terminal, one line per task (a blob being downloaded or stored),
 * redrawn in place at most ten times a second. Off a terminal, commands use {@link Progress#NONE}
 * and print nothing.
 */
public final class TerminalProgress implements Progress {
    private static final long REDRAW_NANOS = 100_000_000L;
    private final PrintStream err;
    private final int columns;
    private final List<Bar> bars = new ArrayList<>();
    private int drawnLines;
    private long lastDraw;

    private TerminalProgress(PrintStream err, int columns) {
        this.err = err;
        this.columns = columns > 20 ? columns : 80;
    }

    /** Bars when the caller's stderr is a terminal; nothing otherwise. */
    static Progress of(Session session) {
        boolean terminal = session.invocation.stderrTerminal()
                && !"dumb".equals(session.invocation.environment().get("TERM"));
        return terminal ? new TerminalProgress(session.err, session.invocation.columns()) : Progress.NONE;
    }

    @Override
    public synchronized Task task(String label, long total) {
        Bar bar = new Bar(label, total);
        bars.add(bar);
        draw(true);
        return bar;
    }

    private synchronized void draw(boolean force) {
        long now = System.nanoTime();
        if (!force && now - lastDraw < REDRAW_NANOS) {
            return;
        }
        lastDraw = now;
        StringBuilder sb = new StringBuilder();
        if (drawnLines > 0) {
            sb.append("\033[").append(drawnLines).append('A');
        }
        for (Bar bar : bars) {
            sb.append("\r\033[K").append(bar.line(columns)).append('\n');
        }
        drawnLines = bars.size();
        err.print(sb);
        err.flush();
    }

    private final class Bar implements Task {
        private final String label;
        private final long total;
        private long done;
        private boolean closed;

        Bar(String label, long total) {
            this.label = label;
            this.total = total;
        }

        @Override
        public void advance(long amount) {
            synchronized (TerminalProgress.this) {
                done += amount;
                draw(false);
            }
        }

        @Override
        public void close() {
            synchronized (TerminalProgress.this) {
                if (!closed) {
                    closed = true;
                    draw(true);
                }
            }
        }

        String line(int width) {
            String amount = total > 0 ? HumanText.bytes(done) + " / " + HumanText.bytes(total) : HumanText.bytes(done);
            String name = label.length() > width / 3 ? "…" + label.substring(label.length() - width / 3 + 1) : label;
            int barWidth = Math.max(10, width - name.length() - amount.length() - 6);
            int filled;
            if (total > 0) {
                filled = (int) Math.min(barWidth, done * barWidth / total);
            } else {
                filled = closed ? barWidth : 0;
            }
            if (closed) {
                filled = barWidth;
            }
            return name + " [" + "=".repeat(filled) + " ".repeat(barWidth - filled) + "] " + amount;
        }
    }
}
