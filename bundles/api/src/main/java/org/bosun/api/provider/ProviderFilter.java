package org.bosun.api.provider;

import java.util.ArrayList;
import java.util.List;

import org.bosun.api.image.ImageFormatService;

/**
 * Builds the service filters that select providers. Every value given here is escaped, so a name
 * from the command line ({@code --stage1-name=a*}) selects exactly that name and nothing else.
 */
public final class ProviderFilter {
    private ProviderFilter() {
    }

    /** {@code value} with the characters that are special in a filter value escaped: {@code \ ( ) *}. */
    public static String escape(String value) {
        StringBuilder sb = new StringBuilder(value.length());
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\\' || c == '(' || c == ')' || c == '*') {
                sb.append('\\');
            }
            sb.append(c);
        }
        return sb.toString();
    }

    /** Selects the services whose property {@code key} is {@code value} (or, for a list, holds it). */
    public static String equal(String key, String value) {
        return "(" + key + "=" + escape(value) + ")";
    }

    /**
     * Selects the image formats that read a reference of {@code scheme} at {@code location}: by
     * scheme, and for a local file ({@code file}) also by the ending of its name, as the format
     * declares it in {@link ImageFormatService#fileExtensions()} (which begin with a dot).
     */
    public static String readingImage(String scheme, String location) {
        String byScheme = equal(ImageFormatService.SCHEMES, scheme);
        if (!"file".equals(scheme)) {
            return byScheme;
        }
        String name = location.substring(location.lastIndexOf('/') + 1);
        List<String> endings = new ArrayList<>();
        for (int dot = name.indexOf('.'); dot >= 0; dot = name.indexOf('.', dot + 1)) {
            endings.add(equal(ImageFormatService.PREFIX_ + "fileExtensions", name.substring(dot)));
        }
        if (endings.isEmpty()) {
            return "(!(objectClass=*))"; // no ending a format could declare: every service has an objectClass
        }
        return "(&" + byScheme + "(|" + String.join("", endings) + "))";
    }
}
