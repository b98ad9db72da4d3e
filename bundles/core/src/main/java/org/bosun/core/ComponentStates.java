package org.bosun.core;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;

import org.bosun.api.provider.ProviderKind;
import org.bosun.api.provider.ProviderStatus;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.osgi.service.component.runtime.dto.ReferenceDTO;
import org.osgi.service.component.runtime.dto.UnsatisfiedReferenceDTO;

/**
 * What Declarative Services says about the provider components, read from its runtime DTOs: the
 * ones it has not registered and why (a reference it misses, its configuration), and the ones whose
 * activation failed. Registered providers that work need nothing from here.
 */
final class ComponentStates {
    static final ComponentStates NONE = new ComponentStates(List.of(), Map.of());

    /** A provider component without a registered service, for one kind it would provide. */
    private record Unregistered(ProviderKind<?> kind, long configurationId, ProviderStatus status) {
    }

    private final List<Unregistered> unregistered;
    private final Map<Long, String> failures;

    private ComponentStates(List<Unregistered> unregistered, Map<Long, String> failures) {
        this.unregistered = unregistered;
        this.failures = failures;
    }

    static ComponentStates of(ServiceComponentRuntime runtime) {
        return of(runtime.getComponentDescriptionDTOs(), runtime::getComponentConfigurationDTOs,
                runtime::isComponentEnabled);
    }

    /** The states of the components {@code descriptions}, with their configurations and whether each is enabled. */
    static ComponentStates of(Collection<ComponentDescriptionDTO> descriptions,
            Function<ComponentDescriptionDTO, Collection<ComponentConfigurationDTO>> configurations,
            Predicate<ComponentDescriptionDTO> enabled) {
        List<Unregistered> unregistered = new ArrayList<>();
        Map<Long, String> failures = new HashMap<>();
        for (ComponentDescriptionDTO description : descriptions) {
            List<ProviderKind<?>> kinds = kindsOf(description);
            if (kinds.isEmpty()) {
                continue;
            }
            Collection<ComponentConfigurationDTO> configs = configurations.apply(description);
            if (configs.isEmpty()) {
                String reason = !enabled.test(description) ? "disabled"
                        : "missing its configuration " + String.join(", ", description.configurationPid);
                kinds.forEach(k -> unregistered.add(new Unregistered(k, -1, status(k, description, reason))));
            }
            for (ComponentConfigurationDTO config : configs) {
                String reason = switch (config.state) {
                    case ComponentConfigurationDTO.UNSATISFIED_REFERENCE -> "missing " + missing(description, config);
                    case ComponentConfigurationDTO.UNSATISFIED_CONFIGURATION ->
                            "missing its configuration " + String.join(", ", description.configurationPid);
                    case ComponentConfigurationDTO.FAILED_ACTIVATION -> "failed to activate: " + firstLine(config.failure);
                    default -> null; // satisfied or active: registered
                };
                if (reason == null) {
                    continue;
                }
                if (config.state == ComponentConfigurationDTO.FAILED_ACTIVATION) {
                    failures.put(config.id, reason);
                }
                kinds.forEach(k -> unregistered.add(new Unregistered(k, config.id, status(k, description, reason))));
            }
        }
        return new ComponentStates(List.copyOf(unregistered), Map.copyOf(failures));
    }

    /** Why the component configuration {@code id} does not work although its service is registered, or null. */
    String failure(long id) {
        return failures.get(id);
    }

    /**
     * The providers of {@code kind} whose components have no registered service; {@code registered}
     * are the component configurations that do (a failed activation can leave its service registered).
     */
    List<ProviderStatus> unregistered(ProviderKind<?> kind, Set<Long> registered) {
        List<ProviderStatus> found = new ArrayList<>();
        for (Unregistered u : unregistered) {
            if (u.kind() == kind && !registered.contains(u.configurationId())) {
                found.add(u.status());
            }
        }
        return found;
    }

    private static List<ProviderKind<?>> kindsOf(ComponentDescriptionDTO description) {
        List<ProviderKind<?>> kinds = new ArrayList<>();
        if (description.serviceInterfaces != null) {
            List<String> services = Arrays.asList(description.serviceInterfaces);
            for (ProviderKind<?> kind : ProviderKind.all()) {
                if (services.contains(kind.type().getName())) {
                    kinds.add(kind);
                }
            }
        }
        return kinds;
    }

    private static ProviderStatus status(ProviderKind<?> kind, ComponentDescriptionDTO description, String reason) {
        Map<String, Object> properties = description.properties == null ? Map.of() : description.properties;
        Object name = kind.nameProperty() == null ? null : properties.get(kind.nameProperty());
        Integer abi = null;
        if (kind.abiProperty() != null) {
            abi = properties.get(kind.abiProperty()) instanceof Number n ? n.intValue() : 1;
        }
        return new ProviderStatus(kind, name == null ? null : String.valueOf(name), description.bundle.symbolicName,
                description.bundle.version, abi, ProviderStatus.State.UNSATISFIED, reason);
    }

    /** The services a configuration waits for: {@code org.bosun.cni.api.CniExecutor}, with its target filter if any. */
    private static String missing(ComponentDescriptionDTO description, ComponentConfigurationDTO config) {
        List<String> missing = new ArrayList<>();
        for (UnsatisfiedReferenceDTO unsatisfied : config.unsatisfiedReferences) {
            String service = unsatisfied.name;
            for (ReferenceDTO reference : description.references) {
                if (reference.name.equals(unsatisfied.name)) {
                    service = reference.interfaceName;
                }
            }
            missing.add(unsatisfied.target == null || unsatisfied.target.isEmpty() ? service
                    : service + " " + unsatisfied.target);
        }
        return missing.isEmpty() ? "a service it needs" : String.join(", ", missing);
    }

    private static String firstLine(String failure) {
        if (failure == null || failure.isBlank()) {
            return "no reason given";
        }
        return failure.strip().lines().findFirst().orElse(""); // the exception, not its stack
    }
}
