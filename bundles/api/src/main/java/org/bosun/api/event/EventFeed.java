package org.bosun.api.event;

import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;

import org.bosun.api.RuntimePaths;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The events of a data directory: those happening now (whoever causes them: this platform, a
 * {@code bosun run} in another shell, an app exiting inside its engine) and those its journal kept.
 */
@ProviderType
public interface EventFeed {

    /**
     * Delivers every event of {@code paths}' data directory from now on, and every bundle event of
     * this platform, to {@code sink}, in order, until the subscription is closed. The data
     * directory is watched for as long as a subscription wants it.
     */
    Subscription follow(RuntimePaths paths, Consumer<BosunEvent> sink);

    /**
     * The journaled events of {@code paths}' data directory with {@code since <= timestamp < until}
     * (either null: unbounded), oldest first. The journal is bounded: the oldest events go first.
     */
    List<BosunEvent> journal(RuntimePaths paths, Instant since, Instant until);

    /** A {@link #follow} in force. */
    interface Subscription extends AutoCloseable {
        @Override
        void close();
    }
}
