package org.bosun.api.security;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.osgi.service.component.annotations.ComponentPropertyType;

/**
 * Component property type for {@link SecurityModule}s:
 * {@code @SecurityModuleService(name = "seccomp")}. Modules contribute in service ranking order.
 */
@ComponentPropertyType
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface SecurityModuleService {
    String PREFIX_ = "bosun.security.";

    /** Service property holding the module's name. */
    String NAME = PREFIX_ + "name";

    /** The module's name, as shown by {@code bosun version} and recorded in pods. */
    String name();
}
