package org.bosun.cri.streaming;

/**
 * The standard streams of a running app, to attach to.
 *
 * @param pod the pod's UUID
 * @param app the app's name
 * @param streams which standard streams the client uses, and whether they are a terminal
 */
public record AttachSession(String pod, String app, Streams streams) {
}
