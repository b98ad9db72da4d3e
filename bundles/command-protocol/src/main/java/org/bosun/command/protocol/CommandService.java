package org.bosun.command.protocol;

import java.io.OutputStream;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Runs one {@code bosun} command. Registered by the CLI bundle; called by the launcher in-process
 * or by the agent for a client.
 */
@ProviderType
public interface CommandService {

    /**
     * Runs {@code invocation}, writing its output to {@code stdout} and {@code stderr}. Never
     * throws for a user error: it reports it on {@code stderr} and returns a non-zero exit code.
     */
    Outcome execute(Invocation invocation, OutputStream stdout, OutputStream stderr);
}
