package org.bosun.cli;

import java.time.Instant;

import org.bosun.api.pod.AppInfo;
import org.bosun.api.pod.PodInfo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Pods as JSON, with the field names of rkt's {@code --format=json}. */
final class PodJson {
    static final ObjectMapper JSON = new ObjectMapper();

    private PodJson() {
    }

    static ObjectNode pod(PodInfo pod) {
        ObjectNode node = JSON.createObjectNode();
        node.put("name", pod.uuid());
        node.put("state", pod.state().label());
        node.putArray("networks");
        ArrayNode appNames = node.putArray("app_names");
        ArrayNode apps = node.putArray("apps");
        for (AppInfo app : pod.apps()) {
            appNames.add(app.name());
            ObjectNode a = apps.addObject();
            a.put("name", app.name());
            a.put("image_name", app.imageName());
            a.put("image_id", app.imageId());
            if (app.exitCode() != null) {
                a.put("exit_code", app.exitCode());
            }
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
        if (!pod.annotations().isEmpty()) {
            ObjectNode ann = node.putObject("annotations");
            pod.annotations().forEach(ann::put);
        }
        return node;
    }

    private static void putTime(ObjectNode node, String field, Instant time) {
        if (time != null) {
            node.put(field, time.getEpochSecond());
        }
    }

    /** {@code json} or {@code json-pretty}; anything else is refused by the caller. */
    static String write(Object node, String format) {
        try {
            return "json-pretty".equals(format)
                    ? JSON.writer().with(SerializationFeature.INDENT_OUTPUT).writeValueAsString(node)
                    : JSON.writeValueAsString(node);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
