package org.bosun.cli.image;

import java.util.concurrent.Callable;

import org.bosun.cli.HelpOption;
import org.bosun.cli.Session;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code bosun image}: the image store's commands, as rkt's {@code rkt image}. Each subcommand
 * parses its flags and prints; what it does to the store is the store's ({@code ImageStore}) and,
 * for the images pods use, the pod service's.
 */
@Command(name = "image", description = "Manage the images in the store.",
        subcommands = {ImageListCommand.class, ImageRmCommand.class, ImageGcCommand.class,
                ImageCatManifestCommand.class, ImageExportCommand.class, ImageExtractCommand.class,
                ImageRenderCommand.class, ImageVerifyCommand.class})
public final class ImageCommand implements Callable<Integer> {
    @picocli.CommandLine.Mixin
    HelpOption help;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private final Session session;

    ImageCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(session.out());
        return 0;
    }
}
