package org.bosun.cli;

import java.time.Instant;
import java.util.List;

import org.bosun.api.pod.AppInfo;
import org.bosun.api.pod.PodInfo;
import org.bosun.api.security.Protection;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Pods as JSON, with the field names of rkt's {@code --format=json}. */
public final class PodJson {
    public static final ObjectMapper JSON = new ObjectMapper();

    private PodJson() {
    }

    static ObjectNode pod(PodInfo pod) {
        ObjectNode node = JSON.createObjectNode();
        node.put("name", pod.uuid());
        node.put("state", pod.state().label());
        if (pod.damage() != null) {
            node.put("damage", pod.damage());
        }
        ArrayNode networks = node.putArray("networks");
        for (org.bosun.api.net.NetworkAttachment n : pod.networks()) {
            ObjectNode net = networks.addObject();
            net.put("name", n.network());
            net.put("interface", n.interfaceName());
            net.put("address", n.address());
            net.put("gateway", n.gateway());
            // rkt's names for the same facts (its netinfo), so scripts written for rkt keep working.
            net.put("netName", n.network());
            net.put("ifName", n.interfaceName());
            if (n.address() != null) {
                net.put("ip", n.address().replaceFirst("/.*", ""));
                String mask = mask(n.address());
                if (mask != null) {
                    net.put("mask", mask);
                }
            }
        }
        ArrayNode appNames = node.putArray("app_names");
        ArrayNode apps = node.putArray("apps");
        for (AppInfo app : pod.apps()) {
            appNames.add(app.name());
            ObjectNode a = apps.addObject();
            a.put("name", app.name());
            a.put("image_name", app.imageName());
            a.put("image_id", app.imageId());
            a.put("state", app.state().label());
            if (app.exitCode() != null) {
                a.put("exit_code", app.exitCode());
            }
            putTime(a, "started_at", app.started());
            putMap(a, "user_annotations", app.userAnnotations());
            putMap(a, "user_labels", app.userLabels());
        }
        putTime(node, "created_at", pod.created());
        putTime(node, "started_at", pod.started());
        if (pod.pid() > 0) {
            node.put("pid", pod.pid());
        }
        if (pod.stage1() != null) {
            ObjectNode engine = node.putObject("stage1");
            engine.put("name", pod.stage1().name());
            engine.put("version", pod.stage1().bundleVersion());
            engine.put("abi_version", pod.stage1().abiVersion());
        }
        ArrayNode off = node.putArray("protections_off");
        protectionsOff(pod).forEach(off::add);
        if (!pod.annotations().isEmpty()) {
            ObjectNode ann = node.putObject("annotations");
            pod.annotations().forEach(ann::put);
        }
        putMap(node, "user_annotations", pod.userAnnotations());
        putMap(node, "user_labels", pod.userLabels());
        return node;
    }

    /** The network mask of {@code ADDRESS/PREFIX} in address form, as rkt wrote it ({@code 255.255.255.0}); null without a prefix. */
    static String mask(String cidr) {
        int slash = cidr.indexOf('/');
        if (slash < 0) {
            return null;
        }
        try {
            int prefix = Integer.parseInt(cidr.substring(slash + 1));
            byte[] bytes = new byte[cidr.contains(":") ? 16 : 4];
            for (int i = 0; i < bytes.length * 8 && i < prefix; i++) {
                bytes[i / 8] |= (byte) (0x80 >>> (i % 8));
            }
            return java.net.InetAddress.getByAddress(bytes).getHostAddress();
        } catch (NumberFormatException | java.net.UnknownHostException e) {
            return null;
        }
    }

    /** rkt's one-line form, {@code default:ip4=172.16.28.2,mynet:ip4=10.1.2.3}. */
    /** The names of the protections the pod runs without, sorted. */
    static List<String> protectionsOff(PodInfo pod) {
        return pod.protectionsOff().stream().map(Protection::id).sorted().toList();
    }

    static String networks(PodInfo pod) {
        StringBuilder sb = new StringBuilder();
        for (org.bosun.api.net.NetworkAttachment n : pod.networks()) {
            if (sb.length() > 0) {
                sb.append(',');
            }
            sb.append(n.network());
            if (n.address() != null) {
                String ip = n.address().replaceFirst("/.*", "");
                sb.append(ip.contains(":") ? ":ip6=" : ":ip4=").append(ip);
            }
        }
        return sb.toString();
    }

    /** rkt's {@code user_annotations} and {@code user_labels}: left out when empty. */
    private static void putMap(ObjectNode node, String field, java.util.Map<String, String> map) {
        if (!map.isEmpty()) {
            ObjectNode object = node.putObject(field);
            new java.util.TreeMap<>(map).forEach(object::put);
        }
    }

    private static void putTime(ObjectNode node, String field, Instant time) {
        if (time != null) {
            node.put(field, time.getEpochSecond());
        }
    }

    /** {@code json} or {@code json-pretty}; anything else is refused by the caller. */
    public static String write(Object node, String format) {
        try {
            return "json-pretty".equals(format)
                    ? JSON.writer().with(SerializationFeature.INDENT_OUTPUT).writeValueAsString(node)
                    : JSON.writeValueAsString(node);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
