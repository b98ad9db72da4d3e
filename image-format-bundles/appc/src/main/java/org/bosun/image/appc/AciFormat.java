package org.bosun.image.appc;

import java.nio.file.Files;
import java.nio.file.Path;

import org.bosun.api.BosunException;
import org.bosun.api.InsecureOption;
import org.bosun.api.image.FetchOptions;
import org.bosun.api.image.ImageFormat;
import org.bosun.api.image.ImageFormatService;
import org.bosun.api.image.ImageManifest;
import org.bosun.api.image.ImageReference;
import org.bosun.api.image.ImageSource;
import org.osgi.service.component.annotations.Component;

/**
 * App Container Images from local files. Images must be signed, as in rkt: an unsigned image is
 * refused unless the user passes {@code --insecure-options=image}.
 */
@Component(service = ImageFormat.class)
@ImageFormatService(name = "appc", schemes = {"file"}, fileExtensions = {".aci"})
public final class AciFormat implements ImageFormat {

    @Override
    public ImageSource open(ImageReference reference, FetchOptions options) {
        if (!reference.scheme().equals("file")) {
            throw BosunException.unavailable("appc images by " + reference.scheme() + " reference (" + reference
                    + ") need discovery and the image store, which this bundle does not provide yet; give a local .aci file");
        }
        Path file = Path.of(reference.location());
        if (!Files.isRegularFile(file)) {
            throw BosunException.notFound("image file " + file + " does not exist");
        }
        if (!Files.isReadable(file)) {
            throw BosunException.precondition("image file " + file + " is not readable by this user");
        }
        verifySignature(file, options);
        AciArchive archive = new AciArchive(file);
        AciArchive.Scan scan = archive.scan();
        ImageManifest manifest = AciManifest.parse(scan.manifest(), archive);
        return new ImageSource() {
            @Override
            public String id() {
                return scan.id();
            }

            @Override
            public ImageManifest manifest() {
                return manifest;
            }

            @Override
            public void render(Path rootfs) {
                new RootfsExtractor(archive, rootfs).extract();
            }
        };
    }

    private static void verifySignature(Path file, FetchOptions options) {
        if (options.insecureOptions().contains(InsecureOption.IMAGE)) {
            return;
        }
        Path signature = file.resolveSibling(file.getFileName() + ".asc");
        if (!Files.exists(signature)) {
            throw BosunException.invalid("image " + file + " is not signed (no " + signature.getFileName()
                    + " beside it); run with --insecure-options=image to accept unsigned images");
        }
        throw BosunException.unavailable("image " + file + " is signed, but verifying signatures needs the trust"
                + " bundle, which is not installed; run with --insecure-options=image to skip verification");
    }
}
