package org.bosun.api.app;

/**
 * The traffic of one network interface of a pod's network namespace ({@code /proc/net/dev}).
 *
 * @since 1.1
 */
public record InterfaceUsage(String name, long rxBytes, long rxErrors, long txBytes, long txErrors) {
}
