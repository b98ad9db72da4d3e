package org.bosun.image.appc;

import static org.junit.Assert.assertEquals;

import java.util.List;

import org.junit.Test;

/** Reading the meta tags of an appc discovery page, as the appc spec's "Image Discovery" writes them. */
public class DiscoveryDocumentTest {
    private static final String PAGE = """
            <!DOCTYPE html>
            <html><head>
              <meta charset="utf-8">
              <meta name="ac-discovery" content="example.com https://storage.example.com/{os}/{arch}/{name}-{version}.{ext}">
              <META NAME='ac-discovery' CONTENT='example.com/app   https://mirror.example.com/{name}-{version}.{ext}' />
              <meta content="example.com https://example.com/pubkeys.gpg" name="ac-discovery-pubkeys">
              <meta name="ac-discovery" content="other.org https://other.org/{name}.{ext}">
              <meta name="ac-discovery" content="only-one-word">
              <meta name="description" content="example.com https://not.a/template">
            </head><body>hello</body></html>
            """;

    @Test
    public void findsTheTemplatesWhosePrefixMatchesTheNameInPageOrder() {
        DiscoveryDocument page = DiscoveryDocument.parse(PAGE);
        assertEquals(List.of("https://storage.example.com/{os}/{arch}/{name}-{version}.{ext}",
                "https://mirror.example.com/{name}-{version}.{ext}"), page.templatesFor("example.com/app"));
    }

    @Test
    public void aPrefixIsAPlainStringPrefixOfTheName() {
        DiscoveryDocument page = DiscoveryDocument.parse(PAGE);
        assertEquals(List.of("https://storage.example.com/{os}/{arch}/{name}-{version}.{ext}"),
                page.templatesFor("example.com/other"));
        assertEquals(List.of(), page.templatesFor("example.org/app"));
    }

    @Test
    public void readsPubkeysWhateverTheOrderOfTheAttributes() {
        assertEquals(List.of("https://example.com/pubkeys.gpg"),
                DiscoveryDocument.parse(PAGE).pubkeysFor("example.com/app"));
    }

    @Test
    public void ignoresMetaTagsOfOtherNamesAndContentsThatAreNotTwoWords() {
        DiscoveryDocument page = DiscoveryDocument.parse(PAGE);
        assertEquals(List.of(), page.templatesFor("only-one-word"));
        assertEquals(List.of(), page.pubkeysFor("other.org/x"));
    }

    @Test
    public void decodesAmpersandsInAttributeValues() {
        DiscoveryDocument page = DiscoveryDocument.parse(
                "<meta name=\"ac-discovery\" content=\"a.com https://a.com/get?n={name}&amp;e={ext}\">");
        assertEquals(List.of("https://a.com/get?n={name}&e={ext}"), page.templatesFor("a.com/x"));
    }

    @Test
    public void aPageWithoutMetaTagsAnnouncesNothing() {
        DiscoveryDocument page = DiscoveryDocument.parse("not html at all <meta");
        assertEquals(List.of(), page.templatesFor("example.com/app"));
        assertEquals(List.of(), page.pubkeysFor("example.com/app"));
    }
}
