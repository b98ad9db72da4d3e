package org.bosun.cri;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

import org.bosun.api.BosunException;
import org.bosun.api.InsecureOption;
import org.bosun.api.RuntimePaths;
import org.bosun.api.image.FetchOptions;
import org.bosun.api.image.ImageFormat;
import org.bosun.api.image.ImageProviders;
import org.bosun.api.image.ImageReference;
import org.bosun.api.image.ImageStore;
import org.bosun.api.image.StoredImage;
import org.bosun.api.pod.PodService;
import org.bosun.api.provider.ProviderRegistry;
import org.bosun.cri.v1.AuthConfig;
import org.bosun.cri.v1.FilesystemIdentifier;
import org.bosun.cri.v1.FilesystemUsage;
import org.bosun.cri.v1.Image;
import org.bosun.cri.v1.ImageFsInfoRequest;
import org.bosun.cri.v1.ImageFsInfoResponse;
import org.bosun.cri.v1.ImageServiceGrpc;
import org.bosun.cri.v1.ImageSpec;
import org.bosun.cri.v1.ImageStatusRequest;
import org.bosun.cri.v1.ImageStatusResponse;
import org.bosun.cri.v1.Int64Value;
import org.bosun.cri.v1.ListImagesRequest;
import org.bosun.cri.v1.ListImagesResponse;
import org.bosun.cri.v1.PullImageRequest;
import org.bosun.cri.v1.PullImageResponse;
import org.bosun.cri.v1.RemoveImageRequest;
import org.bosun.cri.v1.RemoveImageResponse;
import org.bosun.cri.v1.UInt64Value;
import org.bosun.grpc.GrpcErrors;

import io.grpc.stub.StreamObserver;

/**
 * The CRI ImageService on bosun's image store and formats. Kubernetes names images as Docker
 * references without a scheme ({@code registry:5000/app:1.0}); they are fetched as
 * {@code docker://} references, with the CRI's own insecure options (Kubernetes images are mostly
 * unsigned: the default, {@code image}, is documented with the server's configuration). An image
 * is found again by its id, by a reference it was fetched under, by its name, or by the repo digest
 * ({@code NAME@ID}) ListImages and ImageStatus report.
 */
final class CriImageService extends ImageServiceGrpc.ImageServiceImplBase {
    private static final String DOCKER = "docker://";

    private final ProviderRegistry providers;
    private final PodService pods;
    private final RuntimePaths paths;
    private final Set<InsecureOption> insecure;

    CriImageService(ProviderRegistry providers, PodService pods, RuntimePaths paths, Set<InsecureOption> insecure) {
        this.providers = providers;
        this.pods = pods;
        this.paths = paths;
        this.insecure = Set.copyOf(insecure);
    }

    @Override
    public void listImages(ListImagesRequest request, StreamObserver<ListImagesResponse> response) {
        GrpcErrors.answer(response, () -> {
            String wanted = request.hasFilter() ? request.getFilter().getImage().getImage() : "";
            ListImagesResponse.Builder list = ListImagesResponse.newBuilder();
            withStore(store -> {
                if (!wanted.isEmpty()) {
                    find(store, wanted).ifPresent(i -> list.addImages(image(i)));
                } else {
                    store.list(paths).forEach(i -> list.addImages(image(i)));
                }
                return null;
            });
            return list.build();
        });
    }

    /** An image that is not there is an answer without an image, not an error (kubelet then pulls it). */
    @Override
    public void imageStatus(ImageStatusRequest request, StreamObserver<ImageStatusResponse> response) {
        GrpcErrors.answer(response, () -> {
            String wanted = spec(request.getImage());
            ImageStatusResponse.Builder status = ImageStatusResponse.newBuilder();
            withStore(store -> find(store, wanted)).ifPresent(i -> status.setImage(image(i)));
            return status.build();
        });
    }

    @Override
    public void pullImage(PullImageRequest request, StreamObserver<PullImageResponse> response) {
        GrpcErrors.answer(response, () -> {
            String wanted = spec(request.getImage());
            if (request.hasAuth() && !AuthConfig.getDefaultInstance().equals(request.getAuth())) {
                throw BosunException.notImplemented("registry credentials in a CRI PullImage request are not"
                        + " supported yet; give them to bosun as a registry credential file in auth.d");
            }
            ImageReference ref = ImageReference.parse(wanted.contains("://") ? wanted : DOCKER + wanted, Path.of("/"));
            FetchOptions options = new FetchOptions(paths, insecure, "new");
            StoredImage stored = withStore(store -> withFormatFor(ref, format -> format.fetch(ref, options, store)));
            return PullImageResponse.newBuilder().setImageRef(stored.id()).build();
        });
    }

    /** Removing an image that is not there succeeds, as the CRI asks; one a pod uses is refused. */
    @Override
    public void removeImage(RemoveImageRequest request, StreamObserver<RemoveImageResponse> response) {
        GrpcErrors.answer(response, () -> {
            String wanted = spec(request.getImage());
            withStore(store -> {
                find(store, wanted).ifPresent(i -> store.remove(paths, i.id(), () -> pods.imagesInUse(paths)));
                return null;
            });
            return RemoveImageResponse.getDefaultInstance();
        });
    }

    /**
     * The image store's usage: the bytes and inodes of its blobs ({@code cas/}) and rendered trees
     * ({@code tree/}), on the file system of the data directory, which names it.
     */
    @Override
    public void imageFsInfo(ImageFsInfoRequest request, StreamObserver<ImageFsInfoResponse> response) {
        GrpcErrors.answer(response, () -> {
            long[] blobs = usage(paths.dataDir().resolve("cas"));
            long[] trees = usage(paths.dataDir().resolve("tree"));
            long[] usage = {blobs[0] + trees[0], blobs[1] + trees[1]};
            FilesystemUsage fs = FilesystemUsage.newBuilder().setTimestamp(nanos(Instant.now()))
                    .setFsId(FilesystemIdentifier.newBuilder().setMountpoint(paths.dataDir().toString()))
                    .setUsedBytes(UInt64Value.newBuilder().setValue(usage[0]))
                    .setInodesUsed(UInt64Value.newBuilder().setValue(usage[1])).build();
            return ImageFsInfoResponse.newBuilder().addImageFilesystems(fs).build();
        });
    }

    /** The stored image a container names (by id, reference or name); kubelet pulls before it creates. */
    StoredImage stored(String wanted) {
        return withStore(store -> find(store, wanted)).orElseThrow(() -> BosunException.notFound("image " + wanted
                + " is not in bosun's store; pull it first (PullImage, crictl pull)"));
    }

    private Optional<StoredImage> find(ImageStore store, String wanted) {
        Optional<StoredImage> found = store.find(paths, wanted);
        if (found.isEmpty() && !wanted.contains("://")) {
            found = store.findByReference(paths, DOCKER + wanted);
        }
        String digest = repoDigestDigest(wanted);
        if (found.isEmpty() && digest != null) {
            // a repo digest bosun reported (NAME@ID): the image of that id, if it has that name
            found = store.find(paths, digest).filter(i -> wanted.equals(repoDigest(i)));
        }
        return found;
    }

    /** The digest of a repo digest ({@code NAME@sha256:HEX}), or null when {@code wanted} is none. */
    static String repoDigestDigest(String wanted) {
        int at = wanted.lastIndexOf('@');
        if (at <= 0 || wanted.contains("://") || !wanted.startsWith("sha256:", at + 1)) {
            return null;
        }
        return wanted.substring(at + 1);
    }

    /** The repo digest of an image as kubelet reads it, {@code NAME@ID} (Docker images only), or null. */
    static String repoDigest(StoredImage stored) {
        return stored.id().startsWith("sha256:") && stored.name() != null ? stored.name() + "@" + stored.id() : null;
    }

    private static String spec(ImageSpec spec) {
        String image = spec.getImage();
        if (image.isBlank()) {
            throw BosunException.invalid("the request names no image (ImageSpec.image is empty)");
        }
        return image;
    }

    /** As kubelet reads an image: id, tags and digests in Docker's notation, size, and the user it runs as. */
    static Image image(StoredImage stored) {
        Image.Builder image = Image.newBuilder().setId(stored.id()).setSize(stored.size())
                .setSpec(ImageSpec.newBuilder().setImage(stored.id()));
        List<String> names = new ArrayList<>();
        for (String ref : stored.references()) {
            String name = ref.startsWith(DOCKER) ? ref.substring(DOCKER.length()) : ref;
            if (!names.contains(name)) {
                names.add(name);
                image.addRepoTags(name);
            }
        }
        if (repoDigest(stored) != null) {
            image.addRepoDigests(repoDigest(stored));
        }
        String user = stored.manifest() == null ? null : stored.manifest().user();
        if (user != null && !user.isEmpty()) {
            String name = user.contains(":") ? user.substring(0, user.indexOf(':')) : user;
            if (name.chars().allMatch(Character::isDigit)) {
                image.setUid(Int64Value.newBuilder().setValue(Long.parseLong(name)));
            } else {
                image.setUsername(name);
            }
        }
        return image.build();
    }

    private <R> R withStore(Function<ImageStore, R> operation) {
        return ImageProviders.withStore(providers, operation);
    }

    private <R> R withFormatFor(ImageReference ref, Function<ImageFormat, R> operation) {
        return ImageProviders.withFormatReading(providers, ref.scheme(), ref.location(), operation);
    }

    /** Bytes and inodes below {@code dir}, links not followed; nothing there is 0 and 0. */
    private static long[] usage(Path dir) {
        long[] usage = new long[2];
        if (!Files.isDirectory(dir)) {
            return usage;
        }
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
                    usage[1]++;
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) {
                    usage[0] += attrs.size();
                    usage[1]++;
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path f, IOException e) {
                    return FileVisitResult.CONTINUE; // removed meanwhile by a gc
                }
            });
        } catch (IOException e) {
            throw BosunException.internal("cannot measure the image store " + dir + ": " + e.getMessage(), e);
        }
        return usage;
    }

    static long nanos(Instant t) {
        return t.getEpochSecond() * 1_000_000_000L + t.getNano();
    }
}
