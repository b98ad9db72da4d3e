package org.bosun.core;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.bosun.api.provider.ProviderKind;
import org.bosun.api.provider.ProviderStatus;
import org.junit.Test;
import org.osgi.framework.dto.BundleDTO;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.osgi.service.component.runtime.dto.ReferenceDTO;
import org.osgi.service.component.runtime.dto.UnsatisfiedReferenceDTO;

/**
 * What SCR's runtime DTOs say about provider components becomes their status: a missing reference,
 * a missing configuration, a disabled component, a failed activation. The DTOs are filled in as
 * Felix SCR fills them for the bosun bundles.
 */
public class ComponentStatesTest {
    private final List<ComponentDescriptionDTO> descriptions = new ArrayList<>();
    private final Map<ComponentDescriptionDTO, List<ComponentConfigurationDTO>> configurations = new IdentityHashMap<>();
    private final Set<ComponentDescriptionDTO> disabled = java.util.Collections.newSetFromMap(new IdentityHashMap<>());

    private ComponentDescriptionDTO component(String bsn, String service, Map<String, Object> properties,
            ReferenceDTO... references) {
        ComponentDescriptionDTO d = new ComponentDescriptionDTO();
        d.name = bsn + ".Component";
        d.bundle = new BundleDTO();
        d.bundle.symbolicName = bsn;
        d.bundle.version = "0.1.0";
        d.serviceInterfaces = new String[] {service};
        d.properties = properties;
        d.references = references;
        d.configurationPid = new String[] {d.name};
        descriptions.add(d);
        configurations.put(d, new ArrayList<>());
        return d;
    }

    private ComponentConfigurationDTO configuration(ComponentDescriptionDTO d, long id, int state) {
        ComponentConfigurationDTO c = new ComponentConfigurationDTO();
        c.description = d;
        c.id = id;
        c.state = state;
        c.unsatisfiedReferences = new UnsatisfiedReferenceDTO[0];
        configurations.get(d).add(c);
        return c;
    }

    private static ReferenceDTO reference(String name, String service) {
        ReferenceDTO r = new ReferenceDTO();
        r.name = name;
        r.interfaceName = service;
        return r;
    }

    private static UnsatisfiedReferenceDTO unsatisfied(String name, String target) {
        UnsatisfiedReferenceDTO u = new UnsatisfiedReferenceDTO();
        u.name = name;
        u.target = target;
        u.targetServices = new org.osgi.framework.dto.ServiceReferenceDTO[0];
        return u;
    }

    private ComponentStates states() {
        return ComponentStates.of(descriptions, configurations::get, d -> !disabled.contains(d));
    }

    @Test
    public void aComponentMissingAReferenceIsUnsatisfiedAndSaysWhichService() {
        ComponentDescriptionDTO cni = component("org.bosun.cni.networks", "org.bosun.api.net.NetworkProvider",
                Map.of("bosun.net.name", "cni"), reference("executor", "org.bosun.cni.api.CniExecutor"));
        configuration(cni, 7, ComponentConfigurationDTO.UNSATISFIED_REFERENCE).unsatisfiedReferences =
                new UnsatisfiedReferenceDTO[] {unsatisfied("executor", null)};
        assertEquals(List.of(new ProviderStatus(ProviderKind.NETWORK, "cni", "org.bosun.cni.networks", "0.1.0", null,
                ProviderStatus.State.UNSATISFIED, "missing org.bosun.cni.api.CniExecutor")),
                states().unregistered(ProviderKind.NETWORK, Set.of()));
        assertEquals("it is no engine", List.of(), states().unregistered(ProviderKind.ENGINE, Set.of()));
    }

    @Test
    public void aTargetFilterIsPartOfWhatIsMissing() {
        ComponentDescriptionDTO engine = component("org.example.engine", "org.bosun.api.stage1.Stage1Engine",
                Map.of("bosun.stage1.name", "vendor", "bosun.stage1.abiVersion", 2),
                reference("store", "org.bosun.api.image.ImageStore"));
        configuration(engine, 8, ComponentConfigurationDTO.UNSATISFIED_REFERENCE).unsatisfiedReferences =
                new UnsatisfiedReferenceDTO[] {unsatisfied("store", "(flavour=fast)")};
        ProviderStatus status = states().unregistered(ProviderKind.ENGINE, Set.of()).get(0);
        assertEquals("unsatisfied: missing org.bosun.api.image.ImageStore (flavour=fast)", status.describe());
        assertEquals("vendor", status.name());
        assertEquals(Integer.valueOf(2), status.abiVersion());
    }

    @Test
    public void aComponentWaitingForItsConfigurationSaysWhichOne() {
        ComponentDescriptionDTO engine = component("org.example.engine", "org.bosun.api.stage1.Stage1Engine",
                Map.of("bosun.stage1.name", "vendor"));
        configuration(engine, 9, ComponentConfigurationDTO.UNSATISFIED_CONFIGURATION);
        assertEquals("unsatisfied: missing its configuration org.example.engine.Component",
                states().unregistered(ProviderKind.ENGINE, Set.of()).get(0).describe());

        configurations.get(engine).clear(); // configuration-policy=require and none given: no configuration at all
        assertEquals("unsatisfied: missing its configuration org.example.engine.Component",
                states().unregistered(ProviderKind.ENGINE, Set.of()).get(0).describe());
        assertEquals("an engine without the ABI property speaks 1", Integer.valueOf(1),
                states().unregistered(ProviderKind.ENGINE, Set.of()).get(0).abiVersion());
    }

    @Test
    public void aDisabledComponentSaysSo() {
        ComponentDescriptionDTO module = component("org.example.security", "org.bosun.api.security.SecurityModule",
                Map.of("bosun.security.name", "vendor"));
        disabled.add(module);
        assertEquals("unsatisfied: disabled", states().unregistered(ProviderKind.SECURITY_MODULE, Set.of()).get(0).describe());
    }

    @Test
    public void aFailedActivationIsKnownByTheComponentIdOfTheRegisteredService() {
        ComponentDescriptionDTO fly = component("org.bosun.stage1.fly", "org.bosun.api.stage1.Stage1Engine",
                Map.of("bosun.stage1.name", "fly"));
        configuration(fly, 11, ComponentConfigurationDTO.FAILED_ACTIVATION).failure =
                "java.lang.IllegalStateException: no chroot\n\tat org.bosun.stage1.fly.FlyEngine.<init>";
        assertEquals("failed to activate: java.lang.IllegalStateException: no chroot", states().failure(11));
        assertNull(states().failure(12));
        assertEquals("its service is still registered: listed with it, not twice", List.of(),
                states().unregistered(ProviderKind.ENGINE, Set.of(11L)));
        assertEquals(1, states().unregistered(ProviderKind.ENGINE, Set.of()).size());
    }

    @Test
    public void satisfiedAndActiveComponentsAndOtherServicesAreNotListed() {
        ComponentDescriptionDTO fly = component("org.bosun.stage1.fly", "org.bosun.api.stage1.Stage1Engine",
                Map.of("bosun.stage1.name", "fly"));
        configuration(fly, 1, ComponentConfigurationDTO.ACTIVE);
        ComponentDescriptionDTO store = component("org.bosun.store", "org.bosun.api.image.ImageStore", Map.of());
        configuration(store, 2, ComponentConfigurationDTO.SATISFIED);
        ComponentDescriptionDTO cli = component("org.bosun.cli", "org.bosun.command.protocol.CommandService", Map.of());
        configuration(cli, 3, ComponentConfigurationDTO.UNSATISFIED_REFERENCE);
        for (ProviderKind<?> kind : ProviderKind.all()) {
            assertEquals(kind.id(), List.of(), states().unregistered(kind, Set.of()));
        }
    }

    @Test
    public void aComponentOfTwoKindsIsListedForEach() {
        ComponentDescriptionDTO tpm = component("org.bosun.security.tpm", "org.bosun.api.security.SecurityModule",
                Map.of("bosun.security.name", "tpm"));
        tpm.serviceInterfaces = new String[] {"org.bosun.api.security.SecurityModule",
                "org.bosun.api.security.MeasurementLog"};
        disabled.add(tpm);
        assertEquals("tpm", states().unregistered(ProviderKind.SECURITY_MODULE, Set.of()).get(0).name());
        assertEquals("tpm", states().unregistered(ProviderKind.MEASUREMENT_LOG, Set.of()).get(0).name());
    }
}
