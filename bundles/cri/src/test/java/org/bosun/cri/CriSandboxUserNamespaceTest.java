package org.bosun.cri;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import org.bosun.api.BosunException;
import org.bosun.api.ErrorKind;
import org.bosun.cri.v1.IDMapping;
import org.bosun.cri.v1.LinuxSandboxSecurityContext;
import org.bosun.cri.v1.NamespaceMode;
import org.bosun.cri.v1.NamespaceOption;
import org.bosun.cri.v1.UserNamespace;
import org.junit.Test;

/** userns_options of a sandbox: POD is bosun's private-users sandbox; mappings it cannot honour are refused. */
public class CriSandboxUserNamespaceTest {
    private static LinuxSandboxSecurityContext userns(UserNamespace.Builder userns) {
        return LinuxSandboxSecurityContext.newBuilder().setNamespaceOptions(NamespaceOption.newBuilder()
                .setUsernsOptions(userns)).build();
    }

    @Test
    public void podModeIsAPrivateUsersSandboxAndNodeOrNoneIsNot() {
        assertTrue(CriSandboxes.privateUsers(userns(UserNamespace.newBuilder().setMode(NamespaceMode.POD))));
        CriSandboxes.refuseUnsupported(userns(UserNamespace.newBuilder().setMode(NamespaceMode.POD)));
        assertFalse(CriSandboxes.privateUsers(userns(UserNamespace.newBuilder().setMode(NamespaceMode.NODE))));
        assertFalse(CriSandboxes.privateUsers(LinuxSandboxSecurityContext.getDefaultInstance()));
    }

    @Test
    public void givenMappingsAreNotImplementedAndContainerModeIsInvalid() {
        IDMapping kubelet = IDMapping.newBuilder().setContainerId(0).setHostId(65536 * 8).setLength(65536).build();
        BosunException mapped = assertThrows(BosunException.class, () -> CriSandboxes.refuseUnsupported(userns(
                UserNamespace.newBuilder().setMode(NamespaceMode.POD).addUids(kubelet).addGids(kubelet))));
        assertEquals(ErrorKind.NOT_IMPLEMENTED, mapped.kind());
        assertTrue(mapped.getMessage(), mapped.getMessage().contains("uids/gids mappings"));
        assertEquals(ErrorKind.INVALID_ARGUMENT, assertThrows(BosunException.class, () -> CriSandboxes.privateUsers(
                userns(UserNamespace.newBuilder().setMode(NamespaceMode.CONTAINER)))).kind());
    }
}
