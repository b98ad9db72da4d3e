package org.bosun.core;

import java.io.IOException;

import org.bosun.api.security.IdMapping;
import org.bosun.api.security.Protection;
import org.bosun.api.security.SecurityPolicy;
import org.bosun.api.security.SelinuxLabels;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;

/**
 * The JSON of a {@link SecurityPolicy} as pods record it ({@code apps/NAME/security.json}), in the
 * shapes pods have been written with since policies were recorded, so pods prepared before the
 * policy's parts were typed still read: a protection is its {@link Protection#id() id}
 * ({@code "seccomp"}), an id mapping the array {@code [container, host, size]}, SELinux labels an
 * object with {@code process} and {@code mount}, each only when set.
 */
final class RecordedPolicyJson {
    static final SimpleModule MODULE = new SimpleModule("bosun-recorded-policy")
            .addSerializer(Protection.class, new ProtectionWriter())
            .addDeserializer(Protection.class, new ProtectionReader())
            .addSerializer(IdMapping.class, new IdMappingWriter())
            .addDeserializer(IdMapping.class, new IdMappingReader())
            .addSerializer(SelinuxLabels.class, new SelinuxLabelsWriter());

    private RecordedPolicyJson() {
    }

    private static final class ProtectionWriter extends JsonSerializer<Protection> {
        @Override
        public void serialize(Protection value, JsonGenerator out, SerializerProvider provider) throws IOException {
            out.writeString(value.id());
        }
    }

    private static final class ProtectionReader extends JsonDeserializer<Protection> {
        @Override
        public Protection deserialize(JsonParser in, DeserializationContext context) throws IOException {
            String id = in.getValueAsString();
            Protection protection = Protection.byId(id);
            if (protection == null) {
                return context.reportInputMismatch(Protection.class,
                        "'%s' is not a protection bosun knows (capabilities, paths, seccomp)", id);
            }
            return protection;
        }
    }

    private static final class IdMappingWriter extends JsonSerializer<IdMapping> {
        @Override
        public void serialize(IdMapping value, JsonGenerator out, SerializerProvider provider) throws IOException {
            out.writeArray(new long[] {value.container(), value.host(), value.size()}, 0, 3);
        }
    }

    private static final class IdMappingReader extends JsonDeserializer<IdMapping> {
        @Override
        public IdMapping deserialize(JsonParser in, DeserializationContext context) throws IOException {
            long[] ids = context.readValue(in, long[].class);
            if (ids == null || ids.length != 3) {
                return context.reportInputMismatch(IdMapping.class, "an id mapping is [container, host, size]");
            }
            try {
                return new IdMapping(ids[0], ids[1], ids[2]);
            } catch (IllegalArgumentException e) {
                return context.reportInputMismatch(IdMapping.class, "%s", e.getMessage());
            }
        }
    }

    private static final class SelinuxLabelsWriter extends JsonSerializer<SelinuxLabels> {
        @Override
        public void serialize(SelinuxLabels value, JsonGenerator out, SerializerProvider provider) throws IOException {
            out.writeStartObject();
            if (value.process() != null) {
                out.writeStringField("process", value.process());
            }
            if (value.mount() != null) {
                out.writeStringField("mount", value.mount());
            }
            out.writeEndObject();
        }
    }
}
