package org.bosun.events;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

import org.bosun.api.BosunException;
import org.bosun.api.ErrorKind;
import org.bosun.api.RuntimePaths;
import org.bosun.api.event.BosunEvent;
import org.bosun.api.event.EventFeed;
import org.bosun.api.event.EventType;
import org.bosun.api.image.ImageStore;
import org.bosun.api.image.StoredImage;
import org.bosun.api.pod.PodInfo;
import org.bosun.api.pod.PodService;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.ServiceRegistration;
import org.osgi.framework.SynchronousBundleListener;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventAdmin;
import org.osgi.service.event.EventConstants;
import org.osgi.service.event.EventHandler;

/**
 * The platform's events: watches the data directories someone follows (and, in the agent, its own
 * data directory for as long as it runs), publishes what changes there through Event Admin, and
 * turns the framework's bundle events into bosun's. Followers get the events back from Event
 * Admin, as any other handler does.
 */
@Component(immediate = true, service = EventFeed.class)
public final class PlatformEvents implements EventFeed {
    private final BundleContext context;
    private final EventAdmin eventAdmin;
    private final PodService pods;
    private volatile ImageStore store;
    private final Map<Path, Watched> watches = new HashMap<>();
    private final SynchronousBundleListener bundles = this::bundleChanged;
    private Subscription agentWatch;

    /** A data directory's watch and how many want it. */
    private static final class Watched {
        final DataDirWatch watch;
        int users;

        Watched(DataDirWatch watch) {
            this.watch = watch;
        }
    }

    @Activate
    public PlatformEvents(BundleContext context, @Reference EventAdmin eventAdmin, @Reference PodService pods) {
        this.context = context;
        this.eventAdmin = eventAdmin;
        this.pods = pods;
        context.addBundleListener(bundles);
        if (context.getProperty("bosun.agent.socket") != null) {
            // The agent journals its own data directory's events while it runs, followed or not.
            RuntimePaths paths = RuntimePaths.of(context.getProperty("bosun.agent.dir"), null, null);
            try {
                agentWatch = watch(paths);
            } catch (BosunException e) {
                System.err.println("bosun agent: no events of " + paths.dataDir() + ": " + e.getMessage());
            }
        }
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    void setStore(ImageStore store) {
        this.store = store;
    }

    void unsetStore(ImageStore store) {
        if (this.store == store) {
            this.store = null;
        }
    }

    @Deactivate
    void deactivate() {
        context.removeBundleListener(bundles);
        synchronized (watches) {
            watches.values().forEach(w -> w.watch.close());
            watches.clear();
        }
    }

    @Override
    public Subscription follow(RuntimePaths paths, Consumer<BosunEvent> sink) {
        String dataDir = paths.dataDir().toString();
        EventHandler handler = event -> {
            BosunEvent e = BosunEvent.of(event.getTopic(), properties(event));
            if (e != null && (e.dataDir() == null || e.dataDir().equals(dataDir))) {
                sink.accept(e);
            }
        };
        Dictionary<String, Object> props = new Hashtable<>();
        props.put(EventConstants.EVENT_TOPIC, EventType.TOPIC_PREFIX + "*");
        ServiceRegistration<EventHandler> registration = context.registerService(EventHandler.class, handler, props);
        Subscription watch;
        try {
            watch = watch(paths);
        } catch (RuntimeException e) {
            registration.unregister();
            throw e;
        }
        return () -> {
            watch.close();
            try {
                registration.unregister();
            } catch (IllegalStateException e) {
                // the bundle stopped first
            }
        };
    }

    @Override
    public List<BosunEvent> journal(RuntimePaths paths, Instant since, Instant until) {
        return new EventJournal(paths.dataDir(), EventJournal.DEFAULT_LIMIT).read(since, until);
    }

    /** Watches the data directory of {@code paths} until the returned subscription is closed. */
    private Subscription watch(RuntimePaths paths) {
        Path key = paths.dataDir();
        synchronized (watches) {
            Watched w = watches.get(key);
            if (w == null) {
                w = new Watched(new DataDirWatch(paths, new Reader(), this::publish,
                        new EventJournal(paths.dataDir(), EventJournal.DEFAULT_LIMIT), Clock.systemUTC()));
                watches.put(key, w);
            }
            w.users++;
            Watched held = w;
            return new Subscription() {
                private boolean closed;

                @Override
                public void close() {
                    synchronized (watches) {
                        if (closed) {
                            return;
                        }
                        closed = true;
                        if (--held.users == 0 && watches.get(key) == held) {
                            watches.remove(key);
                            held.watch.close();
                        }
                    }
                }
            };
        }
    }

    private void publish(List<BosunEvent> events) {
        // postEvent: delivered in order, on Event Admin's threads, so a slow handler never holds the watch up.
        for (BosunEvent e : events) {
            eventAdmin.postEvent(new Event(e.type().topic(), e.toProperties()));
        }
    }

    private void bundleChanged(BundleEvent event) {
        EventType type = switch (event.getType()) {
            case BundleEvent.INSTALLED -> EventType.BUNDLE_INSTALLED;
            case BundleEvent.UPDATED -> EventType.BUNDLE_UPDATED;
            case BundleEvent.UNINSTALLED -> EventType.BUNDLE_UNINSTALLED;
            default -> null;
        };
        if (type == null) {
            return;
        }
        Bundle b = event.getBundle();
        Map<String, String> attributes = new HashMap<>();
        attributes.put(BosunEvent.BUNDLE, String.valueOf(b.getSymbolicName()));
        attributes.put(BosunEvent.BUNDLE_VERSION, String.valueOf(b.getVersion()));
        publish(List.of(new BosunEvent(type, Instant.now(), null, null, null, null, attributes)));
    }

    private static Map<String, Object> properties(Event event) {
        Map<String, Object> p = new HashMap<>();
        for (String name : event.getPropertyNames()) {
            p.put(name, event.getProperty(name));
        }
        return p;
    }

    /** The pod and image state, as core and the store read it. */
    private final class Reader implements DataDirWatch.Source {
        @Override
        public List<PodInfo> pods(RuntimePaths paths) {
            return pods.list(paths);
        }

        @Override
        public Optional<PodInfo> pod(RuntimePaths paths, String uuid) {
            try {
                return Optional.of(pods.status(paths, uuid));
            } catch (BosunException e) {
                if (e.kind() == ErrorKind.NOT_FOUND) {
                    return Optional.empty();
                }
                throw e;
            }
        }

        @Override
        public Optional<List<StoredImage>> images(RuntimePaths paths) {
            ImageStore s = store;
            return s == null ? Optional.empty() : Optional.of(s.list(paths));
        }
    }
}
