package org.bosun.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.bosun.api.BosunException;
import org.bosun.api.pod.AppRequest;

/**
 * Splits {@code IMAGE [--exec=X ...] [-- args ---] [IMAGE ...]} into its per-app groups, one
 * {@link AppRequest} per image. As in rkt, each word that is not a flag or a flag's value starts the
 * next app; {@code ---} only ends the arguments that follow {@code --}. Local image paths are made absolute against the caller's directory here, because the
 * agent that prepares the pod runs elsewhere.
 */
final class AppArgumentGroups {
    /** Every flag that belongs to an app, given after its image. */
    static final List<String> FLAGS = java.util.stream.Stream.concat(
            java.util.stream.Stream.of("--name", "--exec", "--user", "--group", "--working-dir", "--environment",
                    "--signature"),
            AppFlagParser.NAMES.stream()).toList();

    private AppArgumentGroups() {
    }

    static List<AppRequest> parse(List<String> words, Session session) {
        return parse(words, List.of(), session);
    }

    /** @param podMounts the {@code --mount}s given before the first image, for every app */
    static List<AppRequest> parse(List<String> words, List<String> podMounts, Session session) {
        // Checked once, so that a bad one is reported as the pod's flag rather than as some image's.
        new AppFlagParser(null).podMounts(podMounts);
        List<AppRequest> apps = new ArrayList<>();
        int i = 0;
        while (i < words.size()) {
            String image = words.get(i++);
            if (image.startsWith("-")) {
                throw BosunException.invalid("expected an image, found '" + image
                        + "'; pod flags go before the first image, app flags after their image");
            }
            String name = null;
            String exec = null;
            String user = null;
            String group = null;
            String workingDir = null;
            String signature = null;
            Map<String, String> env = new LinkedHashMap<>();
            AppFlagParser settings = new AppFlagParser(image);
            List<String> args = new ArrayList<>();
            while (i < words.size() && !words.get(i).equals("---")) {
                String word = words.get(i++);
                if (word.equals("--")) {
                    while (i < words.size() && !words.get(i).equals("---")) {
                        args.add(words.get(i++));
                    }
                    break;
                }
                String flag = word;
                String value = null;
                int eq = word.indexOf('=');
                if (word.startsWith("--") && eq > 0) {
                    flag = word.substring(0, eq);
                    value = word.substring(eq + 1);
                }
                if (!word.startsWith("-")) {
                    // As rkt: a word that is no flag is the next image; '---' only ends an app's arguments.
                    i--;
                    break;
                }
                if (!flag.startsWith("--")) {
                    throw BosunException.invalid("unexpected '" + word + "' after image " + image
                            + "; put the app's arguments after '--'");
                }
                if (value == null && AppFlagParser.BOOLEAN.contains(flag)) {
                    value = "true";
                }
                if (value == null) {
                    if (i >= words.size()) {
                        throw BosunException.invalid(flag + " of image " + image + " needs a value");
                    }
                    value = words.get(i++);
                }
                switch (flag) {
                    case "--name" -> name = value;
                    case "--exec" -> exec = value;
                    case "--user" -> user = value;
                    case "--group" -> group = value;
                    case "--working-dir" -> workingDir = value;
                    // rkt's: the local signature file of the image it follows.
                    case "--signature" -> signature = session.resolve(value).toString();
                    case "--environment" -> env.putAll(PrepareFlags.keyValues(List.of(value), "--environment"));
                    default -> {
                        if (!settings.accept(flag, value)) {
                            throw BosunException.invalid("unknown app flag " + flag + " after image " + image
                                    + "; app flags are " + String.join(", ", FLAGS));
                        }
                    }
                }
            }
            if (i < words.size() && words.get(i).equals("---")) {
                i++;
                if (i >= words.size()) {
                    throw BosunException.invalid("'---' must be followed by another image");
                }
            }
            settings.podMounts(podMounts);
            apps.add(new AppRequest(reference(image, session), name, exec == null ? null : List.of(exec), args, env,
                    user, group, workingDir, settings.settings(), signature));
        }
        if (apps.isEmpty()) {
            throw BosunException.invalid("no image given; name at least one image, e.g. ./busybox.aci");
        }
        return apps;
    }

    private static String reference(String image, Session session) {
        if (image.startsWith("/") || image.startsWith(".") || image.endsWith(".aci")) {
            return session.resolve(image).toString();
        }
        // oci:DIR, oci-archive:FILE and docker-archive:FILE name the caller's paths; the agent runs elsewhere.
        org.bosun.api.image.ImageReference ref = org.bosun.api.image.ImageReference.parse(image,
                java.nio.file.Path.of(session.invocation.cwd()));
        if (java.util.Set.of("oci", "oci-archive", "docker-archive").contains(ref.scheme())) {
            return ref.scheme() + ":" + ref.location();
        }
        return image;
    }
}
