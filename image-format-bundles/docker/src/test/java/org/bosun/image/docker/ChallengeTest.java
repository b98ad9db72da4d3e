package org.bosun.image.docker;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;

import java.util.Map;

import org.junit.Test;

/** WWW-Authenticate challenges of registries (RFC 7235), as Docker Hub, distribution and htpasswd send them. */
public class ChallengeTest {

    @Test
    public void aBearerChallengeGivesRealmServiceAndScope() {
        Challenge c = Challenge.parse("Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\","
                + "scope=\"repository:library/busybox:pull\"");
        assertEquals("bearer", c.scheme());
        assertEquals(Map.of("realm", "https://auth.docker.io/token", "service", "registry.docker.io",
                "scope", "repository:library/busybox:pull"), c.parameters());
    }

    @Test
    public void aBasicChallengeGivesItsRealm() {
        Challenge c = Challenge.parse("Basic realm=\"test-realm\"");
        assertEquals("basic", c.scheme());
        assertEquals("test-realm", c.get("realm"));
    }

    @Test
    public void schemeAndParameterNamesAreCaseInsensitive() {
        Challenge c = Challenge.parse("BEARER Realm=\"https://a/token\", Service=\"reg\"");
        assertEquals("bearer", c.scheme());
        assertEquals("https://a/token", c.get("realm"));
        assertEquals("reg", c.get("service"));
    }

    @Test
    public void quotedValuesKeepTheirCommasAndEscapes() {
        Challenge c = Challenge.parse("Bearer realm=\"https://a/token\",scope=\"repository:a/b:pull,push\","
                + "error=\"say \\\"no\\\"\"");
        assertEquals("repository:a/b:pull,push", c.get("scope"));
        assertEquals("say \"no\"", c.get("error"));
    }

    @Test
    public void tokenValuesMayBeUnquoted() {
        Challenge c = Challenge.parse("Bearer realm=https://a/token, service=reg");
        assertEquals("https://a/token", c.get("realm"));
        assertEquals("reg", c.get("service"));
    }

    @Test
    public void aSchemeWithoutParametersHasNone() {
        Challenge c = Challenge.parse("Negotiate");
        assertEquals("negotiate", c.scheme());
        assertEquals(Map.of(), c.parameters());
    }

    @Test
    public void noHeaderIsNoChallenge() {
        assertNull(Challenge.parse(null));
        assertNull(Challenge.parse("  "));
    }
}
