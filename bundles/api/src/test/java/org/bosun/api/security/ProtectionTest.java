package org.bosun.api.security;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;

import java.util.List;
import java.util.Set;

import org.bosun.api.InsecureOption;
import org.junit.Test;

public class ProtectionTest {

    @Test
    public void eachProtectionIsNamedAsTheInsecureOptionThatSwitchesItOff() {
        for (Protection p : Protection.values()) {
            assertEquals(p.insecureOption().flagName(), p.id());
            assertEquals(p, Protection.of(p.insecureOption()));
            assertEquals(p, Protection.byId(p.id()));
        }
        assertEquals(List.of("capabilities", "paths", "seccomp"), List.of(Protection.values()).stream()
                .map(Protection::id).toList());
    }

    @Test
    public void theRunGroupSwitchesOffEveryProtectionAndFetchOptionsNone() {
        for (InsecureOption option : InsecureOption.parse("all-run")) {
            if (option != InsecureOption.ONDISK) {
                assertEquals(option.flagName(), Protection.of(option).id());
            }
        }
        for (InsecureOption option : InsecureOption.parse("all-fetch,ondisk")) {
            assertNull(option.flagName(), Protection.of(option));
        }
        assertNull(Protection.byId("tpm"));
    }

    @Test
    public void aPolicyListsItsProtectionsOffInOneOrder() {
        SecurityPolicy policy = SecurityPolicy.UNCONFINED.withProtectionOff(Protection.SECCOMP)
                .withProtectionOff(Protection.CAPABILITIES);
        assertEquals(List.of(Protection.CAPABILITIES, Protection.SECCOMP), List.copyOf(policy.protectionsOff()));
        assertEquals(Set.of(Protection.SECCOMP, Protection.CAPABILITIES), policy.protectionsOff());
    }
}
