package org.bosun.api.net;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.osgi.service.component.annotations.ComponentPropertyType;

/** Component property type for {@link NetworkProvider}s: {@code @NetworkProviderService(name = "cni")}. */
@ComponentPropertyType
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface NetworkProviderService {
    String PREFIX_ = "bosun.net.";

    /** The provider's name. */
    String name();
}
