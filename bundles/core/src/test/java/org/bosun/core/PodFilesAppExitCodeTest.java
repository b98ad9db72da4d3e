package org.bosun.core;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;

import java.nio.file.Files;
import java.nio.file.Path;

import org.bosun.host.files.Scratch;
import org.junit.Rule;
import org.junit.Test;

/** The engine-neutral exit status record: {@code apps/NAME/status}, read for {@code bosun status}. */
public class PodFilesAppExitCodeTest {
    @Rule
    public final Scratch scratch = new Scratch();

    private final PodFiles files = new PodFiles();

    private Path status(String app, String content) throws Exception {
        Path dir = Files.createDirectories(scratch.root().resolve("apps").resolve(app));
        return Files.writeString(dir.resolve("status"), content);
    }

    @Test
    public void theExitCodeIsWhatTheEngineRecorded() throws Exception {
        status("web", "143\n");
        assertEquals(Integer.valueOf(143), files.appExitCode(scratch.root(), "web"));
    }

    @Test
    public void noRecordMeansUnknown() throws Exception {
        Files.createDirectories(scratch.root().resolve("apps/web"));
        assertNull(files.appExitCode(scratch.root(), "web"));
    }

    @Test
    public void aRecordThatIsNotANumberMeansUnknown() throws Exception {
        status("web", "");
        assertNull(files.appExitCode(scratch.root(), "web"));
        status("web", "exited\n");
        assertNull(files.appExitCode(scratch.root(), "web"));
    }
}
