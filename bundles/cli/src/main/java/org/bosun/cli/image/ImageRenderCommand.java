package org.bosun.cli.image;

import org.bosun.cli.Session;

import picocli.CommandLine.Command;

@Command(name = "render", description = "Copy an image's rendered tree (as pods use it), with its manifest, into DIR.")
final class ImageRenderCommand extends ImageDirectoryCommand {
    ImageRenderCommand(Session session) {
        super(session, true);
    }
}
