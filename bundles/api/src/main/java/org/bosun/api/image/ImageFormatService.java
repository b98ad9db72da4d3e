package org.bosun.api.image;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.osgi.service.component.annotations.ComponentPropertyType;

/**
 * Component property type for {@link ImageFormat} providers:
 * {@code @ImageFormatService(name = "appc", schemes = {"file", "https"})}.
 */
@ComponentPropertyType
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface ImageFormatService {
    String PREFIX_ = "bosun.image.";
    String NAME = PREFIX_ + "name";
    String SCHEMES = PREFIX_ + "schemes";

    /** The format's name, for messages and {@code bosun version}. */
    String name();

    /**
     * The reference schemes the format serves: {@code docker}, {@code oci}, {@code oci-archive},
     * {@code docker-archive}, {@code https}, and {@code file} for a local archive whose name ends
     * in one of {@link #fileExtensions()}.
     */
    String[] schemes();

    /** File name endings of local archives the format reads, such as {@code .aci}. */
    String[] fileExtensions() default {};
}
