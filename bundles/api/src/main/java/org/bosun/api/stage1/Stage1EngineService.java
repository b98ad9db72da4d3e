package org.bosun.api.stage1;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.osgi.service.component.annotations.ComponentPropertyType;

/**
 * Component property type for {@link Stage1Engine} providers:
 * {@code @Stage1EngineService(name = "fly", abiVersion = 1)} turns into the service properties
 * {@code bosun.stage1.name} and {@code bosun.stage1.abiVersion}.
 */
@ComponentPropertyType
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface Stage1EngineService {
    String PREFIX_ = "bosun.stage1.";

    /** Service property holding the engine name. */
    String NAME = PREFIX_ + "name";
    /** Service property holding the ABI version. */
    String ABI_VERSION = PREFIX_ + "abiVersion";

    /** The engine's name, as given to {@code --stage1-name}. */
    String name();

    /** The version of the contract between the engine and the pods it prepared. */
    int abiVersion() default 1;

    /** One line for {@code bosun version} and the console. */
    String description() default "";
}
