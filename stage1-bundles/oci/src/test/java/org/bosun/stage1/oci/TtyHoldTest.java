package org.bosun.stage1.oci;

import static org.junit.Assert.assertEquals;
import static org.junit.Assume.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * engine/ttyhold, the terminal holder, as Debian's python3 loads it: its attach frames (AppIo's
 * protocol) parsed across reads, and a bad frame refused; its usage on wrong arguments. Its life with
 * a real runtime is AppLifecycleIT's (runc and crun).
 */
public class TtyHoldTest {
    private static final Path PYTHON = Path.of(OciEngine.PYTHON3);

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private String python(String program, String... args) throws Exception {
        Path holder = tmp.getRoot().toPath().resolve("ttyhold");
        Files.writeString(holder, SupervisorScript.text("ttyhold"));
        java.util.List<String> argv = new java.util.ArrayList<>(java.util.List.of(PYTHON.toString(), "-c", program,
                holder.toString()));
        argv.addAll(java.util.List.of(args));
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(30, TimeUnit.SECONDS);
        return p.exitValue() + ":" + out;
    }

    @Test(timeout = 60_000)
    public void framesAreParsedAcrossReadsAndABadOneIsRefused() throws Exception {
        assumeTrue("no " + PYTHON, Files.isExecutable(PYTHON));
        String program = """
                import importlib.machinery, sys
                h = importlib.machinery.SourceFileLoader('ttyhold', sys.argv[1]).load_module()
                c = h.Client(None)
                print(c.frames(b'd\\x00\\x03ab'))
                print(c.frames(b'cw\\x00\\x1e'))
                print(c.frames(b'\\x00\\x64d\\x00\\x00'))
                try:
                    c.frames(b'x')
                except ValueError as e:
                    print('refused', e)
                """;
        assertEquals("0:[]\n[('d', b'abc')]\n[('w', (30, 100)), ('d', b'')]\nrefused frame type b'x'\n",
                python(program));
    }

    @Test(timeout = 60_000)
    public void wrongArgumentsAreOneLineAnd125() throws Exception {
        assumeTrue("no " + PYTHON, Files.isExecutable(PYTHON));
        String program = """
                import runpy, sys
                sys.argv = sys.argv[1:]
                runpy.run_path(sys.argv[0], run_name='__main__')
                """;
        assertEquals("125:bosun: usage: ttyhold RUNTIME STATE BUNDLE ID ATTACH_SOCKET\n", python(program, "only-one"));
    }
}
