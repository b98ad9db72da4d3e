package org.bosun.security.tpm;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.bosun.api.BosunException;
import org.bosun.security.tpm.TcgEventLog.Bank;
import org.bosun.security.tpm.TcgEventLog.Event;
import org.bosun.security.tpm.TcgEventLog.Header;
import org.junit.Test;

public class TcgEventLogTest {
    private static final List<Bank> BANKS = List.of(Bank.SHA1, Bank.SHA256);
    private static final Header HEADER = new Header(BANKS, "bosun tpm=swtpm:port=1 pcr=15 reset=1 restart=0");

    private static Event event(int pcr, String data) {
        byte[] bytes = data.getBytes(StandardCharsets.UTF_8);
        Map<Bank, byte[]> digests = new LinkedHashMap<>();
        BANKS.forEach(b -> digests.put(b, b.hash(bytes)));
        return new Event(-1, pcr, TcgEventLog.EV_IPL, digests, bytes);
    }

    private static byte[] log(Event... events) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(TcgEventLog.encodeHeader(HEADER));
        for (Event e : events) {
            out.writeBytes(TcgEventLog.encode(e, BANKS));
        }
        return out.toByteArray();
    }

    @Test
    public void aLogParsesBackToItsHeaderAndEventsWithTheirOffsets() {
        byte[] header = TcgEventLog.encodeHeader(HEADER);
        byte[] first = TcgEventLog.encode(event(15, "one"), BANKS);
        TcgEventLog.Parsed parsed = TcgEventLog.parse(log(event(15, "one"), event(15, "two\0argv")), "test");

        assertEquals(HEADER, parsed.header());
        assertEquals(2, parsed.events().size());
        Event two = parsed.events().get(1);
        assertEquals(header.length, parsed.events().get(0).offset());
        assertEquals(header.length + first.length, two.offset());
        assertEquals(15, two.pcr());
        assertEquals(TcgEventLog.EV_IPL, two.type());
        assertEquals("two argv", two.text());
        assertArrayEquals(Bank.SHA256.hash("two\0argv".getBytes(StandardCharsets.UTF_8)), two.digests().get(Bank.SHA256));
        assertEquals(List.of(Bank.SHA1, Bank.SHA256), List.copyOf(two.digests().keySet()));
    }

    @Test
    public void theHeaderIsASpecIdEventInTheSha1EventFormat() {
        byte[] header = TcgEventLog.encodeHeader(HEADER);
        // pcrIndex 0, eventType EV_NO_ACTION (3), a zero SHA-1 digest, then the event size.
        assertArrayEquals(new byte[] {0, 0, 0, 0, 3, 0, 0, 0}, Arrays.copyOf(header, 8));
        assertArrayEquals(new byte[20], Arrays.copyOfRange(header, 8, 28));
        assertEquals("Spec ID Event03\0", new String(header, 32, 16, StandardCharsets.US_ASCII));
    }

    @Test
    public void replayExtendsEachBankFromZeroWithTheEventsOfThatPcrOnly() {
        TcgEventLog.Parsed parsed = TcgEventLog.parse(log(event(15, "a"), event(16, "other"), event(15, "b")), "test");
        byte[] expected = new byte[32];
        for (String data : List.of("a", "b")) {
            expected = Bank.SHA256.hash(concat(expected, Bank.SHA256.hash(data.getBytes(StandardCharsets.UTF_8))));
        }
        assertArrayEquals(expected, TcgEventLog.replay(parsed, 15).get(Bank.SHA256));
        assertArrayEquals(new byte[20], TcgEventLog.replay(TcgEventLog.parse(log(), "test"), 15).get(Bank.SHA1));
    }

    @Test
    public void aCutOffLogIsRefusedNamingTheOffsetOfTheBrokenEvent() {
        byte[] whole = log(event(15, "one"), event(15, "two"));
        byte[] cut = Arrays.copyOf(whole, whole.length - 2);
        long offset = TcgEventLog.parse(whole, "x").events().get(1).offset();
        BosunException e = assertThrows(BosunException.class, () -> TcgEventLog.parse(cut, "/data/tpm/eventlog"));
        assertTrue(e.getMessage(), e.getMessage().contains("/data/tpm/eventlog: the event at offset " + offset + " is cut off"));
    }

    @Test
    public void aFileThatIsNotACryptoAgileLogIsRefused() {
        BosunException e = assertThrows(BosunException.class,
                () -> TcgEventLog.parse("hello, this is not a log at all.....".getBytes(StandardCharsets.US_ASCII), "f"));
        assertTrue(e.getMessage(), e.getMessage().contains("Spec ID"));
    }

    /** tpm2-tools' own parser (an independent implementation) reads the log and replays it to our value. */
    @Test
    public void tpm2EventlogReadsTheLogAndReplaysItToTheSameValue() throws Exception {
        Path file = Files.createTempFile("bosun-eventlog-", ".bin");
        try {
            TcgEventLog.Parsed parsed = TcgEventLog.parse(log(event(15, "one"), event(15, "two")), "test");
            Files.write(file, log(event(15, "one"), event(15, "two")));
            Process p = new ProcessBuilder(Tpm2Tools.find("tpm2_eventlog").toString(), file.toString())
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            assertEquals(out, 0, p.exitValue());
            String sha256 = TcgEventLog.hex(TcgEventLog.replay(parsed, 15).get(Bank.SHA256));
            String sha1 = TcgEventLog.hex(TcgEventLog.replay(parsed, 15).get(Bank.SHA1));
            assertTrue(out, out.contains("EV_IPL"));
            assertTrue(out, out.replace(" ", "").toLowerCase().contains("15:0x" + sha256));
            assertTrue(out, out.replace(" ", "").toLowerCase().contains("15:0x" + sha1));
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
