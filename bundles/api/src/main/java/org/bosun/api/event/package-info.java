/**
 * The platform's events: what happened to pods, apps, images and bundles, as one model that every
 * surface shares (the {@code bosun events} command, the CRI's container events, the console, the
 * API service). Events are published through OSGi Event Admin under the topics of
 * {@link org.bosun.api.event.EventType}, with the properties {@link org.bosun.api.event.BosunEvent#toProperties()}
 * gives; {@link org.bosun.api.event.EventFeed} follows them and replays the journal a data
 * directory keeps of them.
 */
@Version("1.0.0")
@Export
package org.bosun.api.event;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
