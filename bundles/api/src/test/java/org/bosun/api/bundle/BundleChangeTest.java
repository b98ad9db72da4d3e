package org.bosun.api.bundle;

import static org.junit.Assert.assertEquals;

import java.nio.file.Path;

import org.junit.Test;

/** The one line each change says, whoever reports it (the CLI, the web console). */
public class BundleChangeTest {
    private static final Path FOLDER = Path.of("/var/lib/bosun/bundles");

    @Test
    public void anUpdateAndItsRollbackSayWhichVersionsAndWhere() {
        BundleChange update = new BundleChange("org.bosun.stage1.fly", "1.1.0", "1.99.0", 42, "active", "the agent",
                FOLDER, true, null);
        assertEquals("Updated org.bosun.stage1.fly from 1.1.0 to 1.99.0 (bundle 42, active in the agent)",
                update.updated());
        BundleChange rollback = new BundleChange("org.bosun.stage1.fly", "1.99.0", "1.1.0", 43, "active",
                "this platform", FOLDER, true, null);
        assertEquals("Rolled org.bosun.stage1.fly back from 1.99.0 to 1.1.0 (bundle 43, active in this platform)",
                rollback.rolledBack());
    }

    @Test
    public void anInstallSaysItsBundleAndAnUninstallWhatIsBack() {
        BundleChange install = new BundleChange("com.example.engine", null, "1.0.0", 7, "active", "the agent", FOLDER,
                false, "ABCD example <e@example.com> (bundle/com.example)");
        assertEquals("Installed com.example.engine 1.0.0 (bundle 7, active in the agent)", install.installed());
        assertEquals("Uninstalled com.example.engine 1.0.0 (from the agent and /var/lib/bosun/bundles)",
                new BundleChange("com.example.engine", "1.0.0", null, -1, null, "the agent", FOLDER, false, null)
                        .uninstalled());
        assertEquals("Uninstalled the update org.bosun.stage1.fly 1.99.0; the built-in 1.1.0 is back (in the agent"
                + " and /var/lib/bosun/bundles)", new BundleChange("org.bosun.stage1.fly", "1.99.0", "1.1.0", 44,
                        "active", "the agent", FOLDER, true, null).uninstalled());
        assertEquals("Uninstalled the update org.bosun.stage1.fly 1.99.0 (in the agent and /var/lib/bosun/bundles)",
                new BundleChange("org.bosun.stage1.fly", "1.99.0", null, -1, null, "the agent", FOLDER, true, null)
                        .uninstalled());
    }
}
