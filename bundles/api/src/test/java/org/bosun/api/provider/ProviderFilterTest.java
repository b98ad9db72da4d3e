package org.bosun.api.provider;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.util.Map;

import org.bosun.api.image.ImageFormatService;
import org.bosun.api.stage1.Stage1EngineService;
import org.junit.Test;
import org.osgi.framework.Filter;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.InvalidSyntaxException;

/** The filters that select providers, checked with the framework's own filter implementation. */
public class ProviderFilterTest {
    private static final Map<String, Object> APPC = Map.of("objectClass", new String[] {"org.bosun.api.image.ImageFormat"},
            ImageFormatService.NAME, "appc",
            ImageFormatService.SCHEMES, new String[] {"file", "https", "http", "appc"},
            ImageFormatService.PREFIX_ + "fileExtensions", new String[] {".aci"});
    private static final Map<String, Object> OCI = Map.of("objectClass", new String[] {"org.bosun.api.image.ImageFormat"},
            ImageFormatService.NAME, "oci",
            ImageFormatService.SCHEMES, new String[] {"oci", "oci-archive", "docker-archive"});

    private static boolean matches(String filter, Map<String, Object> properties) throws InvalidSyntaxException {
        Filter f = FrameworkUtil.createFilter(filter);
        return f.matches(properties);
    }

    @Test
    public void escapingMakesEveryNameLiteral() throws Exception {
        assertEquals("a\\*b\\(c\\)d\\\\e", ProviderFilter.escape("a*b(c)d\\e"));
        String filter = ProviderKind.ENGINE.named("fl*");
        assertEquals("(bosun.stage1.name=fl\\*)", filter);
        assertFalse("a star is a star, not a wildcard", matches(filter, Map.of(Stage1EngineService.NAME, "fly")));
        assertTrue(matches(filter, Map.of(Stage1EngineService.NAME, "fl*")));
        assertTrue("parentheses do not break the filter",
                matches(ProviderKind.ENGINE.named("a(b)"), Map.of(Stage1EngineService.NAME, "a(b)")));
    }

    @Test
    public void aNameSelectsOneOfAList() throws Exception {
        assertTrue(matches(ProviderFilter.equal(ImageFormatService.SCHEMES, "appc"), APPC));
        assertFalse(matches(ProviderFilter.equal(ImageFormatService.SCHEMES, "docker"), APPC));
    }

    @Test
    public void aReferenceSchemeSelectsTheFormatsThatServeIt() throws Exception {
        assertTrue(matches(ProviderFilter.readingImage("oci-archive", "/tmp/x.tar"), OCI));
        assertFalse(matches(ProviderFilter.readingImage("oci-archive", "/tmp/x.tar"), APPC));
        assertTrue(matches(ProviderFilter.readingImage("https", "example.com/app-1.0.aci"), APPC));
    }

    @Test
    public void aLocalFileIsReadByTheFormatThatDeclaresItsEnding() throws Exception {
        assertTrue(matches(ProviderFilter.readingImage("file", "/srv/images/busybox.aci"), APPC));
        assertTrue("any ending of the name counts", matches(ProviderFilter.readingImage("file", "/srv/v1.2/app.x.aci"), APPC));
        assertFalse(matches(ProviderFilter.readingImage("file", "/srv/images/busybox.tar"), APPC));
        assertFalse("a dot in a directory is no ending", matches(ProviderFilter.readingImage("file", "/srv/x.aci/busybox"), APPC));
        assertFalse("a format without file endings reads no file",
                matches(ProviderFilter.readingImage("file", "/srv/images/busybox.aci"), OCI));
    }

    @Test
    public void aFileWithoutAnEndingIsReadByNoFormat() throws Exception {
        assertFalse(matches(ProviderFilter.readingImage("file", "/srv/images/busybox"), APPC));
    }

    @Test
    public void kindsWithoutNamesCannotBeSelectedByName() {
        try {
            ProviderKind.IMAGE_STORE.named("store");
            throw new AssertionError("the image store has no name property");
        } catch (IllegalStateException expected) {
            assertTrue(expected.getMessage(), expected.getMessage().contains("image-store"));
        }
    }
}
