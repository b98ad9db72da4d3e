package org.bosun.itest.tck;

import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Collectors;

import org.bosun.tck.common.TckPlatform;
import org.bosun.tck.image.ImageFormatTck;

/** The image format TCK on bosun's appc format: an ACI made with the system's tar. */
public class AppcFormatTckIT extends ImageFormatTck {
    @Override
    protected String formatName() {
        return "appc";
    }

    @Override
    protected String buildImage(Path workDir, TestImage image) throws Exception {
        String exec = image.exec().stream().map(AppcFormatTckIT::json).collect(Collectors.joining(","));
        String env = image.environment().entrySet().stream()
                .map((Map.Entry<String, String> e) -> "{\"name\":" + json(e.getKey()) + ",\"value\":" + json(e.getValue()) + "}")
                .collect(Collectors.joining(","));
        String manifest = "{\"acKind\":\"ImageManifest\",\"acVersion\":\"0.8.11\",\"name\":" + json(image.name())
                + ",\"labels\":[{\"name\":\"os\",\"value\":\"linux\"},{\"name\":\"arch\",\"value\":\"amd64\"}],"
                + "\"app\":{\"exec\":[" + exec + "],\"user\":" + json(image.user()) + ",\"group\":" + json(image.group())
                + ",\"workingDirectory\":" + json(image.workingDirectory()) + ",\"environment\":[" + env + "]}}";
        return TckPlatform.aci(workDir, "tck.aci", manifest, image.rootfs()).toString();
    }

    private static String json(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
