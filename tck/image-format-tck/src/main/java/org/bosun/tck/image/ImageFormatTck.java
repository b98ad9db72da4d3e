package org.bosun.tck.image;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import javax.inject.Inject;

import org.bosun.api.BosunException;
import org.bosun.api.ErrorKind;
import org.bosun.api.InsecureOption;
import org.bosun.api.RuntimePaths;
import org.bosun.api.image.FetchOptions;
import org.bosun.api.image.ImageFormat;
import org.bosun.api.image.ImageFormatService;
import org.bosun.api.image.ImageManifest;
import org.bosun.api.image.ImageReference;
import org.bosun.api.image.ImageStore;
import org.bosun.api.image.StoredImage;
import org.bosun.tck.common.TckPlatform;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

/**
 * The image format TCK: the {@link ImageFormat} service contract (bundles/api, {@code org.bosun.api.image})
 * checked on a real image in the format, which the subclass makes from a tree the TCK gives it
 * ({@link #buildImage}: a root filesystem with Debian's static busybox, and the app facts of a
 * {@link TestImage}). Subclass it in a test of your own (named {@code *IT} for failsafe), name the
 * format ({@link #formatName()} or the system property {@value #FORMAT}) and install its bundle
 * ({@link #formatBundles()} or {@value TckPlatform#BUNDLES}); the framework is a bosun distribution's
 * agent platform ({@value TckPlatform#DIST}), whose {@link ImageStore} the format writes to.
 * <p>
 * What it checks: the service and its properties; a fetch records an image of this format whose
 * manifest carries the image's name, command, environment (in order), working directory, user and
 * group; its id is stable (the same image fetched into another store has the same id) and a second
 * fetch into the same store gives the same image; the rendered tree holds the rootfs byte for byte;
 * and a damaged image or a missing one is refused with the documented error kind (invalid argument,
 * not found), in one line, leaving no image in the store.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public abstract class ImageFormatTck {
    /** System property: the name of the format under test ({@code bosun.image.name}). */
    public static final String FORMAT = "bosun.tck.format";

    /**
     * The app an image made for the TCK carries.
     *
     * @param name the image name
     * @param rootfs the root filesystem to pack (a directory; {@code /bin/busybox} in it)
     * @param exec the command
     * @param environment the environment, in order
     * @param workingDirectory the working directory
     * @param user the user (numeric)
     * @param group the group (numeric)
     */
    public record TestImage(String name, Path rootfs, List<String> exec, Map<String, String> environment,
            String workingDirectory, String user, String group) {
    }

    @Inject
    protected BundleContext context;

    /** This test's temporary directory, deleted afterwards. */
    protected Path tmp;

    /** The format under test: {@value #FORMAT} unless overridden. */
    protected String formatName() {
        String name = System.getProperty(FORMAT);
        if (name == null || name.isBlank()) {
            throw new IllegalStateException("no image format to test: set the system property " + FORMAT
                    + " or override ImageFormatTck.formatName()");
        }
        return name;
    }

    /** The format's bundles (jar paths or URLs) besides {@value TckPlatform#BUNDLES}; none by default. */
    protected List<String> formatBundles() {
        return List.of();
    }

    /**
     * Makes an image in the format under test in {@code workDir} holding {@code image}, and returns
     * the reference that fetches it (as {@code bosun fetch} takes it: a file, {@code oci:DIR:TAG}, ...).
     * Called in the framework; host tools may be used. Same input, same image.
     */
    protected abstract String buildImage(Path workDir, TestImage image) throws Exception;

    /**
     * Damages the image that {@code reference} names so that a fetch must refuse it. By default the
     * file the reference names, or the largest file under the directory it names, is cut to half its
     * size; override it for a format where that is not damage.
     */
    protected void damage(ImageReference reference) throws IOException {
        Path location = Path.of(reference.location().replaceFirst(":[^/:]*$", ""));
        if (!Files.exists(location)) {
            location = Path.of(reference.location());
        }
        Path victim = location;
        if (Files.isDirectory(location)) {
            try (Stream<Path> files = Files.walk(location)) {
                victim = files.filter(Files::isRegularFile).max(Comparator.comparingLong(ImageFormatTck::size))
                        .orElseThrow(() -> new AssertionError("nothing to damage under " + reference));
            }
        }
        try (RandomAccessFile file = new RandomAccessFile(victim.toFile(), "rw")) {
            file.setLength(file.length() / 2);
        }
    }

    /**
     * The name the fetched image's manifest must carry: by default {@link TestImage#name()}; a format
     * whose images carry no name of their own (an OCI layout) says which name it derives.
     */
    protected String expectedName(TestImage image, String reference) {
        return image.name();
    }

    @Configuration
    public Option[] config() throws Exception {
        return TckPlatform.configuration(formatBundles(), ImageFormatTck.class);
    }

    @Before
    public void createDirectory() throws IOException {
        tmp = Files.createTempDirectory("bosun-image-format-tck-" + formatName() + "-");
    }

    @After
    public void deleteDirectory() {
        TckPlatform.deleteQuietly(tmp);
    }

    /**
     * The format is one {@link ImageFormat} service with the properties of {@link ImageFormatService}:
     * its name, and at least one scheme, each a known reference scheme.
     */
    @Test
    public void theFormatIsRegisteredWithItsDocumentedProperties() throws Exception {
        ServiceReference<ImageFormat> ref = formatReference();
        assertEquals("exactly one format service is named " + formatName(), 1, context.getServiceReferences(
                ImageFormat.class, "(" + ImageFormatService.NAME + "=" + formatName() + ")").size());
        assertEquals(formatName(), ref.getProperty(ImageFormatService.NAME));
        List<String> schemes = strings(ref.getProperty(ImageFormatService.SCHEMES));
        assertFalse("property " + ImageFormatService.SCHEMES + " names at least one scheme", schemes.isEmpty());
        for (String scheme : schemes) {
            assertTrue("scheme " + scheme + " is one ImageReference parses",
                    ImageReference.parse(scheme + "://x/y", tmp).scheme().equals(scheme));
        }
    }

    /**
     * A fetch records an image of this format with the app facts it was made with; the manifest is the
     * same in the store's listing; the same image fetched again, or into another store, has the same id.
     */
    @Test
    public void aFetchRecordsTheImageWithItsManifestAndAStableId() throws Exception {
        TestImage spec = testImage();
        String reference = buildImage(tmp, spec);
        RuntimePaths paths = paths("data");
        StoredImage image = fetch(reference, paths);
        assertNotNull("fetch returns the stored image", image);
        assertTrue("the image has an id: " + image, image.id() != null && !image.id().isBlank());
        assertEquals("the image records its format", formatName(), image.format());
        ImageManifest m = image.manifest();
        assertNotNull("the image has a manifest", m);
        assertEquals("manifest name", expectedName(spec, reference), m.name());
        assertEquals("manifest exec", spec.exec(), m.exec());
        assertEquals("manifest environment, in order", List.copyOf(spec.environment().entrySet()),
                List.copyOf(m.environment().entrySet()));
        assertEquals("manifest working directory", spec.workingDirectory(), m.workingDirectory());
        assertEquals("manifest user", spec.user(), m.user());
        assertEquals("manifest group", spec.group(), m.group());
        assertTrue("the image's blobs are in the store", image.blobs().stream()
                .allMatch(digest -> withStore(store -> store.blob(paths, digest)).isPresent()));
        List<StoredImage> listed = withStore(store -> store.list(paths));
        assertEquals("the store lists the one image", List.of(image.id()), listed.stream().map(StoredImage::id).toList());
        assertEquals("the listed manifest is the fetched one", m, listed.get(0).manifest());

        StoredImage again = fetch(reference, paths);
        assertEquals("a second fetch gives the same image", image.id(), again.id());
        assertEquals("still one image in the store", 1, withStore(store -> store.list(paths)).size());
        StoredImage elsewhere = fetch(reference, paths("data2"));
        assertEquals("the same image fetched into another store has the same id", image.id(), elsewhere.id());
        assertEquals("and the same manifest", m, elsewhere.manifest());
    }

    /** The rendered tree of a fetched image holds the rootfs it was made of: busybox, byte for byte, executable. */
    @Test
    public void aStoredImageRendersItsRootFilesystem() throws Exception {
        TestImage spec = testImage();
        RuntimePaths paths = paths("data");
        StoredImage image = fetch(buildImage(tmp, spec), paths);
        Path tree = Files.createDirectories(tmp.resolve("tree"));
        withFormat(format -> {
            withStore(store -> {
                format.render(image, store, paths, tree);
                return null;
            });
            return null;
        });
        Path busybox = tree.resolve("bin/busybox");
        assertTrue("the tree holds /bin/busybox", Files.isRegularFile(busybox));
        assertArrayEquals("/bin/busybox byte for byte", Files.readAllBytes(spec.rootfs().resolve("bin/busybox")),
                Files.readAllBytes(busybox));
        assertTrue("/bin/busybox is executable", Files.isExecutable(busybox));
    }

    /** A damaged image is refused: invalid argument, one line, no image recorded. */
    @Test
    public void aDamagedImageIsRefusedAsInvalid() throws Exception {
        String reference = buildImage(tmp, testImage());
        damage(ImageReference.parse(reference, tmp));
        RuntimePaths paths = paths("data");
        BosunException e = refused(reference, paths);
        assertEquals("a damaged image is an invalid argument: " + e.getMessage(), ErrorKind.INVALID_ARGUMENT, e.kind());
        assertEquals("the store has no image", List.of(), withStore(store -> store.list(paths)));
    }

    /** An image that is not there is refused: not found, one line naming it, no image recorded. */
    @Test
    public void aMissingImageIsNotFound() throws Exception {
        String reference = buildImage(tmp, testImage());
        ImageReference parsed = ImageReference.parse(reference, tmp);
        String missing = missingReference(reference);
        assertFalse("the TCK makes the reference point elsewhere: " + parsed, missing.equals(reference));
        RuntimePaths paths = paths("data");
        BosunException e = refused(missing, paths);
        assertEquals("a missing image is not found: " + e.getMessage(), ErrorKind.NOT_FOUND, e.kind());
        assertTrue("the message names it: " + e.getMessage(), e.getMessage().contains(missingName(missing)));
        assertEquals("the store has no image", List.of(), withStore(store -> store.list(paths)));
    }

    /**
     * The reference of an image that is not there, made from {@code reference} (a built image's): by
     * default the same path under {@code TMP/missing}. Override it for a format whose references are not
     * paths (a registry's: a repository that does not exist there).
     *
     * @since 1.1
     */
    protected String missingReference(String reference) {
        return reference.replace(tmp.toString(), tmp.resolve("missing").toString());
    }

    /**
     * What the not-found message for {@code missingReference} must name: by default {@code TMP/missing}.
     *
     * @since 1.1
     */
    protected String missingName(String missingReference) {
        return tmp.resolve("missing").toString();
    }

    /**
     * The insecure options of the TCK's fetches: {@code image} (no signature checks) by default; a format
     * fetching from a local registry over plain HTTP adds {@code http}.
     *
     * @since 1.1
     */
    protected Set<InsecureOption> insecureOptions() {
        return Set.of(InsecureOption.IMAGE);
    }

    // ---------------------------------------------------------------- helpers

    /** The image every test makes: busybox, a shell command, two variables, a working directory, root. */
    protected TestImage testImage() throws IOException {
        Path rootfs = TckPlatform.busyboxRootfs(Files.createDirectories(tmp.resolve("rootfs")));
        Files.createDirectories(rootfs.resolve("work"));
        Map<String, String> env = new LinkedHashMap<>();
        env.put("TCK_FIRST", "one");
        env.put("PATH", "/bin");
        return new TestImage("example.com/image-format-tck", rootfs, List.of("/bin/busybox", "sh", "-c", "echo tck"),
                env, "/work", "0", "0");
    }

    private BosunException refused(String reference, RuntimePaths paths) {
        try {
            StoredImage image = fetch(reference, paths);
            fail("the fetch of " + reference + " should be refused; it gave " + image);
            return null;
        } catch (BosunException e) {
            assertEquals("one line: " + e.getMessage(), 1, e.getMessage().lines().count());
            return e;
        }
    }

    private RuntimePaths paths(String data) {
        return new RuntimePaths(tmp.resolve(data), tmp.resolve("etc"), tmp.resolve("lib"));
    }

    private StoredImage fetch(String reference, RuntimePaths paths) {
        ImageReference parsed = ImageReference.parse(reference, tmp);
        return withFormat(format -> withStore(store -> format.fetch(parsed,
                new FetchOptions(paths, insecureOptions(), "new"), store)));
    }

    @FunctionalInterface
    protected interface WithService<S, R> {
        R apply(S service) throws Exception;
    }

    private <R> R withFormat(WithService<ImageFormat, R> work) {
        return with(formatReferenceUnchecked(), work);
    }

    private <R> R withStore(WithService<ImageStore, R> work) {
        try {
            return with(TckPlatform.awaitService(context, ImageStore.class, null, 60), work);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private <S, R> R with(ServiceReference<S> ref, WithService<S, R> work) {
        try {
            return work.apply(context.getService(ref));
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        } finally {
            context.ungetService(ref);
        }
    }

    private ServiceReference<ImageFormat> formatReference() throws InterruptedException {
        return TckPlatform.awaitService(context, ImageFormat.class, "(" + ImageFormatService.NAME + "=" + formatName() + ")",
                60);
    }

    private ServiceReference<ImageFormat> formatReferenceUnchecked() {
        try {
            return formatReference();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> strings(Object property) {
        if (property instanceof String[] a) {
            return Arrays.asList(a);
        }
        if (property instanceof String s) {
            return List.of(s);
        }
        return List.of();
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return 0;
        }
    }
}
