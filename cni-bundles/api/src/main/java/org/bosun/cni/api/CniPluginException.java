package org.bosun.cni.api;

import org.bosun.api.BosunException;
import org.bosun.api.ErrorKind;

/**
 * A plugin failed, or did not finish in time. The message is one line:
 * {@code network mynet: plugin bridge ADD failed (code 7): <the plugin's msg>}.
 */
public class CniPluginException extends BosunException {
    private static final long serialVersionUID = 1L;
    /** The code of a plugin that was killed after the timeout; not a CNI code. */
    public static final int TIMED_OUT = -1;
    /** The code of a plugin that failed without a CNI error on stdout; not a CNI code. */
    public static final int NO_ERROR_OBJECT = -2;

    private final String network;
    private final String plugin;
    private final String command;
    private final int code;
    private final String pluginMessage;

    public CniPluginException(ErrorKind kind, String network, String plugin, String command, int code,
            String pluginMessage, String message) {
        super(kind, message);
        this.network = network;
        this.plugin = plugin;
        this.command = command;
        this.code = code;
        this.pluginMessage = pluginMessage;
    }

    public String network() {
        return network;
    }

    public String plugin() {
        return plugin;
    }

    /** ADD, CHECK, DEL, VERSION or GC. */
    public String command() {
        return command;
    }

    /** The CNI error code the plugin reported, or {@link #TIMED_OUT} or {@link #NO_ERROR_OBJECT}. */
    public int code() {
        return code;
    }

    /** The plugin's own {@code msg} (with {@code details}), or what it printed. */
    public String pluginMessage() {
        return pluginMessage;
    }
}
