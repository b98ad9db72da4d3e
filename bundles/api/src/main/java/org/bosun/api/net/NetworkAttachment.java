package org.bosun.api.net;

/**
 * One network a pod is attached to.
 *
 * @param network the network's name ({@code default}, {@code mynet})
 * @param interfaceName the interface inside the pod
 * @param address the pod's address with prefix length, or null
 * @param gateway the gateway, or null
 */
public record NetworkAttachment(String network, String interfaceName, String address, String gateway) {
}
