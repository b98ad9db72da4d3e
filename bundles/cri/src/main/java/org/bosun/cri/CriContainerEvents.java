package org.bosun.cri;

import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

import org.bosun.api.RuntimePaths;
import org.bosun.api.event.BosunEvent;
import org.bosun.api.event.EventFeed;
import org.bosun.api.pod.PodInfo;
import org.bosun.cri.v1.ContainerEventResponse;
import org.bosun.cri.v1.ContainerEventType;
import org.bosun.cri.v1.ContainerStatus;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;

/**
 * GetContainerEvents (kubelet's "evented PLEG"): the container events of the CRI's sandboxes, from
 * bosun's one event feed ({@link EventFeed}, the events bundle), so that an app exiting inside its
 * engine, or a container made by another client, reaches kubelet as the CLI's {@code bosun events}
 * shows it. An app added is CONTAINER_CREATED, started STARTED, exited STOPPED, removed DELETED;
 * each carries the sandbox's status and the statuses of its containers as they are when the event is
 * sent (none for a sandbox already gone). Apps of pods not made through the CRI are not containers and
 * are left out. The stream lasts until the client cancels it or the server stops.
 */
final class CriContainerEvents {
    private static final Logger LOG = Logger.getLogger(CriContainerEvents.class.getName());

    private final EventFeed feed;
    private final RuntimePaths paths;
    private final CriSandboxes sandboxes;
    private final CriContainers containers;

    /** {@code feed} null: the platform has no events bundle, and the call answers UNIMPLEMENTED. */
    CriContainerEvents(EventFeed feed, RuntimePaths paths, CriSandboxes sandboxes, CriContainers containers) {
        this.feed = feed;
        this.paths = paths;
        this.sandboxes = sandboxes;
        this.containers = containers;
    }

    void stream(StreamObserver<ContainerEventResponse> response) {
        if (feed == null) {
            response.onError(Status.UNIMPLEMENTED.withDescription("container events need bosun's events bundle,"
                    + " which this agent has not loaded (feature events)").asRuntimeException());
            return;
        }
        Object sending = new Object();
        EventFeed.Subscription subscription = feed.follow(paths, event -> {
            ContainerEventResponse answer = toResponse(event);
            if (answer != null) {
                synchronized (sending) {
                    response.onNext(answer);
                }
            }
        });
        if (response instanceof ServerCallStreamObserver<ContainerEventResponse> call) {
            call.setOnCancelHandler(subscription::close);
            if (call.isCancelled()) {
                subscription.close();
            }
        }
    }

    /** The CRI event of a bosun event, or null when it is not one of a CRI container. */
    ContainerEventResponse toResponse(BosunEvent event) {
        ContainerEventType type = type(event);
        if (type == null || event.pod() == null || event.app() == null) {
            return null;
        }
        ContainerEventResponse.Builder answer = ContainerEventResponse.newBuilder()
                .setContainerId(new CriContainers.Id(event.pod(), event.app()).id())
                .setContainerEventType(type)
                .setCreatedAt(CriImageService.nanos(event.timestamp()));
        PodInfo pod = sandboxes.podOrNull(event.pod());
        if (pod == null) {
            // the sandbox went before the event was read (kubelet removes containers, then the sandbox):
            // a removal still reaches kubelet, without statuses; nothing else is worth sending
            return type == ContainerEventType.CONTAINER_DELETED_EVENT ? answer.build() : null;
        }
        if (!CriSandboxes.isSandbox(pod, event.pod())) {
            return null; // an app of a pod the CLI made: not a container
        }
        try {
            answer.setPodSandboxStatus(sandboxes.status(pod));
            List<ContainerStatus> statuses = containers.statuses(pod);
            answer.addAllContainersStatuses(statuses);
        } catch (RuntimeException e) {
            // the sandbox went while it was read: the event stands without its statuses
            LOG.log(Level.FINE, "no statuses for the event of " + event.pod() + "/" + event.app(), e);
        }
        return answer.build();
    }

    private static ContainerEventType type(BosunEvent event) {
        return switch (event.type()) {
            case APP_ADDED -> ContainerEventType.CONTAINER_CREATED_EVENT;
            case APP_STARTED -> ContainerEventType.CONTAINER_STARTED_EVENT;
            case APP_EXITED -> ContainerEventType.CONTAINER_STOPPED_EVENT;
            case APP_REMOVED -> ContainerEventType.CONTAINER_DELETED_EVENT;
            default -> null;
        };
    }
}
