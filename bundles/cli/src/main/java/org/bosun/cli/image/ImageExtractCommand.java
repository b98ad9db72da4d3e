package org.bosun.cli.image;

import org.bosun.cli.Session;

import picocli.CommandLine.Command;

@Command(name = "extract", description = "Extract an image's root filesystem from its blobs, with its manifest, into DIR.")
final class ImageExtractCommand extends ImageDirectoryCommand {
    ImageExtractCommand(Session session) {
        super(session, false);
    }
}
