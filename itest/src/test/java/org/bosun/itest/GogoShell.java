package org.bosun.itest;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

/** Runs a command of the Gogo shell, as an operator at the agent's console would. */
final class GogoShell {
    private GogoShell() {
    }

    /**
     * Runs {@code command} (such as {@code bosun:security}) once its command service is registered;
     * returns what it returned (the bosun commands return nothing) followed by what it printed.
     */
    static String run(BundleContext context, String command) throws Exception {
        String[] name = command.split("\\s+")[0].split(":");
        ServiceReference<CommandProcessor> gogoRef = Platform.awaitService(context, CommandProcessor.class, null, 30);
        Platform.awaitService(context, Object.class,
                "(&(osgi.command.scope=" + name[0] + ")(osgi.command.function=" + name[1] + "))", 30);
        CommandProcessor processor = context.getService(gogoRef);
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        try (CommandSession session = processor.createSession(new ByteArrayInputStream(new byte[0]),
                new PrintStream(console, true, StandardCharsets.UTF_8), new PrintStream(console, true, StandardCharsets.UTF_8))) {
            Object result = session.execute(command);
            return (result == null ? "" : String.valueOf(result)) + console.toString(StandardCharsets.UTF_8);
        } finally {
            context.ungetService(gogoRef);
        }
    }
}
