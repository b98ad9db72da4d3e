package org.bosun.core;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/** The pod's {@code stage1} file: which engine prepared it. */
@JsonIgnoreProperties(ignoreUnknown = true)
record EngineRecordJson(String name, String bundleVersion, int abiVersion) {
}
