package org.bosun.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

import org.bosun.api.BosunException;
import org.bosun.api.image.ImageFormat;
import org.bosun.api.image.ImageFormatService;
import org.bosun.api.image.ImageReference;
import org.bosun.api.image.ImageStore;
import org.bosun.api.image.StoredImage;
import org.bosun.api.pod.AppInfo;
import org.bosun.api.pod.PodInfo;
import org.bosun.api.pod.PodState;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;

/**
 * The image store and formats for one command, looked up by their service properties and let go
 * when the operation ends, so their bundles can be updated between commands.
 */
final class ImageServices {
    private final Session session;

    ImageServices(Session session) {
        this.session = session;
    }

    <R> R withStore(Function<ImageStore, R> operation) {
        ServiceReference<ImageStore> ref = session.context == null ? null
                : session.context.getServiceReference(ImageStore.class);
        ImageStore store = ref == null ? null : session.context.getService(ref);
        if (store == null) {
            throw BosunException.unavailable("the image store (bundle org.bosun.store) is not installed");
        }
        try {
            return operation.apply(store);
        } finally {
            session.context.ungetService(ref);
        }
    }

    /** The format that reads {@code reference}: by scheme, and for files by extension. */
    <R> R withFormatFor(ImageReference reference, Function<ImageFormat, R> operation) {
        for (ServiceReference<ImageFormat> ref : formats("(" + ImageFormatService.SCHEMES + "=" + reference.scheme() + ")")) {
            if (!reference.scheme().equals("file") || matchesExtension(ref, reference.location())) {
                return use(ref, operation);
            }
        }
        String what = reference.scheme().equals("file") ? "image file " + reference.location()
                : "image references of scheme '" + reference.scheme() + "'";
        throw BosunException.unavailable("no installed image format reads " + what
                + "; install the bundle of that format (see 'bosun version' for the installed ones)");
    }

    /** The format that stored {@code image}, which renders it. */
    <R> R withFormatOf(StoredImage image, Function<ImageFormat, R> operation) {
        List<ServiceReference<ImageFormat>> refs = formats("(" + ImageFormatService.NAME + "=" + image.format() + ")");
        if (refs.isEmpty()) {
            throw BosunException.unavailable("image " + image.id() + " was stored by the image format '" + image.format()
                    + "', which is not installed; install its bundle to render the image");
        }
        return use(refs.get(0), operation);
    }

    /** Images that prepared, preparing and running pods use: image rm and gc keep them. */
    Set<String> imagesInUse() {
        Set<String> ids = new HashSet<>();
        for (PodInfo pod : session.pods().list(session.paths())) {
            if (pod.state() == PodState.PREPARED || pod.state() == PodState.PREPARING || pod.state() == PodState.RUNNING
                    || pod.state() == PodState.EMBRYO) {
                for (AppInfo app : pod.apps()) {
                    if (app.imageId() != null) {
                        ids.add(app.imageId());
                    }
                }
            }
        }
        return ids;
    }

    private <R> R use(ServiceReference<ImageFormat> ref, Function<ImageFormat, R> operation) {
        ImageFormat format = session.context.getService(ref);
        if (format == null) {
            throw BosunException.unavailable("the image format '" + ref.getProperty(ImageFormatService.NAME)
                    + "' went away; try again");
        }
        try {
            return operation.apply(format);
        } finally {
            session.context.ungetService(ref);
        }
    }

    private List<ServiceReference<ImageFormat>> formats(String filter) {
        try {
            List<ServiceReference<ImageFormat>> refs = new ArrayList<>(
                    session.context.getServiceReferences(ImageFormat.class, filter));
            refs.sort(Comparator.reverseOrder());
            return refs;
        } catch (InvalidSyntaxException e) {
            throw BosunException.invalid("bad image reference scheme in " + filter);
        }
    }

    private static boolean matchesExtension(ServiceReference<?> ref, String location) {
        Object exts = ref.getProperty(ImageFormatService.PREFIX_ + "fileExtensions");
        if (exts instanceof String[] array) {
            for (String ext : array) {
                if (location.endsWith(ext)) {
                    return true;
                }
            }
        } else if (exts instanceof String ext) {
            return location.endsWith(ext);
        }
        return false;
    }

    /** An image id as lists show it: the algorithm and the first 32 hex digits, as rkt did. */
    static String shortId(String id) {
        int sep = id.indexOf(id.startsWith("sha512") ? '-' : ':');
        return sep > 0 && id.length() > sep + 33 ? id.substring(0, sep + 33) : id;
    }

    static Path absolute(Session session, String path) {
        return session.resolve(path);
    }
}
