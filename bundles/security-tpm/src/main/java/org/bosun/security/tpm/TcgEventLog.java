package org.bosun.security.tpm;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.bosun.api.BosunException;

/**
 * The TCG crypto-agile event log format (TCG PC Client Platform Firmware Profile, section 10):
 * a {@code TCG_PCR_EVENT} header whose data is the {@code TCG_EfiSpecIDEvent} ("Spec ID Event03")
 * naming the hash algorithms, then {@code TCG_PCR_EVENT2} records, each with a
 * {@code TPML_DIGEST_VALUES} holding one digest per algorithm. All integers are little-endian.
 * bosun keeps its own facts (the TPM it extends and that TPM's reset count) in the Spec ID
 * event's vendor info, so a log always describes one uninterrupted PCR history.
 */
final class TcgEventLog {
    static final long EV_NO_ACTION = 0x3;
    static final long EV_IPL = 0xD;
    static final long EV_EVENT_TAG = 0x6;
    static final String SPEC_ID_SIGNATURE = "Spec ID Event03";
    private static final int SHA1_SIZE = 20;
    private static final int MAX_EVENT_DATA = 1 << 20;

    private TcgEventLog() {
    }

    /** A TPM hash algorithm: its name in tpm2-tools, its TPM_ALG_ID and its digest size. */
    enum Bank {
        SHA1("sha1", 0x0004, 20, "SHA-1"), SHA256("sha256", 0x000B, 32, "SHA-256"),
        SHA384("sha384", 0x000C, 48, "SHA-384"), SHA512("sha512", 0x000D, 64, "SHA-512");

        final String name;
        final int algorithmId;
        final int size;
        private final String javaName;

        Bank(String name, int algorithmId, int size, String javaName) {
            this.name = name;
            this.algorithmId = algorithmId;
            this.size = size;
            this.javaName = javaName;
        }

        MessageDigest digest() {
            try {
                return MessageDigest.getInstance(javaName);
            } catch (NoSuchAlgorithmException e) {
                throw BosunException.internal("the JDK has no " + javaName, e);
            }
        }

        byte[] hash(byte[] data) {
            return digest().digest(data);
        }

        static Bank named(String name) {
            for (Bank bank : values()) {
                if (bank.name.equals(name)) {
                    return bank;
                }
            }
            return null;
        }

        static Bank byId(int algorithmId) {
            for (Bank bank : values()) {
                if (bank.algorithmId == algorithmId) {
                    return bank;
                }
            }
            return null;
        }
    }

    /**
     * One {@code TCG_PCR_EVENT2}.
     *
     * @param offset where it starts in the file (-1 before it is written)
     * @param pcr the PCR index
     * @param type the event type
     * @param digests one digest per bank, in the log's algorithm order
     * @param data the event data
     */
    record Event(long offset, int pcr, long type, Map<Bank, byte[]> digests, byte[] data) {
        Event {
            digests = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(digests));
        }

        String text() {
            return new String(data, StandardCharsets.UTF_8).replace('\0', ' ').strip();
        }
    }

    /**
     * The Spec ID header: which banks the events carry, and bosun's vendor info.
     *
     * @param banks the algorithms, in the order every event lists its digests
     * @param vendorInfo bosun's facts ({@code bosun tpm=TCTI reset=N restart=M}); at most 255 bytes
     */
    record Header(List<Bank> banks, String vendorInfo) {
        Header {
            banks = List.copyOf(banks);
            if (vendorInfo.getBytes(StandardCharsets.UTF_8).length > 255) {
                throw BosunException.invalid("the TPM description '" + vendorInfo + "' is longer than the 255 bytes"
                        + " a TCG Spec ID event holds; use a shorter tcti in tpm.d");
            }
        }
    }

    /** A parsed log. */
    record Parsed(Header header, List<Event> events) {
    }

    /** The log's first record: a {@code TCG_PCR_EVENT} (SHA-1 format) of type EV_NO_ACTION on PCR 0. */
    static byte[] encodeHeader(Header header) {
        byte[] vendor = header.vendorInfo().getBytes(StandardCharsets.UTF_8);
        ByteBuffer spec = le(16 + 4 + 4 + 4 + header.banks().size() * 4 + 1 + vendor.length);
        byte[] signature = new byte[16];
        byte[] sig = SPEC_ID_SIGNATURE.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(sig, 0, signature, 0, sig.length);
        spec.put(signature);
        spec.putInt(0); // platformClass: client
        spec.put((byte) 0); // specVersionMinor
        spec.put((byte) 2); // specVersionMajor
        spec.put((byte) 0); // specErrata
        spec.put((byte) 2); // uintnSize: UINT64
        spec.putInt(header.banks().size());
        for (Bank bank : header.banks()) {
            spec.putShort((short) bank.algorithmId);
            spec.putShort((short) bank.size);
        }
        spec.put((byte) vendor.length);
        spec.put(vendor);
        byte[] data = spec.array();
        ByteBuffer out = le(4 + 4 + SHA1_SIZE + 4 + data.length);
        out.putInt(0);
        out.putInt((int) EV_NO_ACTION);
        out.put(new byte[SHA1_SIZE]);
        out.putInt(data.length);
        out.put(data);
        return out.array();
    }

    /** A {@code TCG_PCR_EVENT2} with a digest for each of {@code banks}, in that order. */
    static byte[] encode(Event event, List<Bank> banks) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer head = le(12);
        head.putInt(event.pcr());
        head.putInt((int) event.type());
        head.putInt(banks.size());
        out.writeBytes(head.array());
        for (Bank bank : banks) {
            byte[] digest = event.digests().get(bank);
            if (digest == null || digest.length != bank.size) {
                throw BosunException.internal("event without a " + bank.name + " digest", null);
            }
            out.writeBytes(le(2).putShort((short) bank.algorithmId).array());
            out.writeBytes(digest);
        }
        out.writeBytes(le(4).putInt(event.data().length).array());
        out.writeBytes(event.data());
        return out.toByteArray();
    }

    /** Parses a whole log; {@code where} names it in errors. */
    static Parsed parse(byte[] log, String where) {
        ByteBuffer in = ByteBuffer.wrap(log).order(ByteOrder.LITTLE_ENDIAN);
        Header header = parseHeader(in, where);
        List<Event> events = new ArrayList<>();
        while (in.hasRemaining()) {
            long offset = in.position();
            try {
                int pcr = in.getInt();
                long type = Integer.toUnsignedLong(in.getInt());
                int count = in.getInt();
                if (count < 0 || count > Bank.values().length) {
                    throw bad(where, offset, "has " + Integer.toUnsignedString(count) + " digests");
                }
                Map<Bank, byte[]> digests = new LinkedHashMap<>();
                for (int i = 0; i < count; i++) {
                    int id = Short.toUnsignedInt(in.getShort());
                    Bank bank = Bank.byId(id);
                    if (bank == null || !header.banks().contains(bank)) {
                        throw bad(where, offset, "has a digest of algorithm 0x" + Integer.toHexString(id)
                                + " that the Spec ID event does not declare");
                    }
                    byte[] digest = new byte[bank.size];
                    in.get(digest);
                    digests.put(bank, digest);
                }
                int size = in.getInt();
                if (size < 0 || size > MAX_EVENT_DATA) {
                    throw bad(where, offset, "says its data has " + Integer.toUnsignedString(size) + " bytes");
                }
                if (size > in.remaining()) {
                    throw new java.nio.BufferUnderflowException();
                }
                byte[] data = new byte[size];
                in.get(data);
                events.add(new Event(offset, pcr, type, digests, data));
            } catch (java.nio.BufferUnderflowException e) {
                throw bad(where, offset, "is cut off (the log ends inside it)");
            }
        }
        return new Parsed(header, events);
    }

    private static Header parseHeader(ByteBuffer in, String where) {
        try {
            int pcr = in.getInt();
            long type = Integer.toUnsignedLong(in.getInt());
            in.position(in.position() + SHA1_SIZE);
            int size = in.getInt();
            if (pcr != 0 || type != EV_NO_ACTION || size < 24 || size > in.remaining()) {
                throw bad(where, 0, "is not a TCG Spec ID event (a crypto-agile log starts with one)");
            }
            int end = in.position() + size;
            byte[] signature = new byte[16];
            in.get(signature);
            if (!new String(signature, StandardCharsets.US_ASCII).startsWith(SPEC_ID_SIGNATURE + "\0")) {
                throw bad(where, 0, "has no \"" + SPEC_ID_SIGNATURE + "\" signature: not a crypto-agile log");
            }
            in.position(in.position() + 8); // platform class, spec version, errata, uintn size
            int count = in.getInt();
            if (count <= 0 || count > 16) {
                throw bad(where, 0, "declares " + Integer.toUnsignedString(count) + " algorithms");
            }
            List<Bank> banks = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                int id = Short.toUnsignedInt(in.getShort());
                int digestSize = Short.toUnsignedInt(in.getShort());
                Bank bank = Bank.byId(id);
                if (bank == null || bank.size != digestSize) {
                    throw bad(where, 0, "declares algorithm 0x" + Integer.toHexString(id) + " with " + digestSize
                            + "-byte digests, which bosun does not know");
                }
                banks.add(bank);
            }
            int vendorSize = Byte.toUnsignedInt(in.get());
            byte[] vendor = new byte[vendorSize];
            in.get(vendor);
            if (in.position() != end) {
                throw bad(where, 0, "has a Spec ID event whose size does not add up");
            }
            return new Header(banks, new String(vendor, StandardCharsets.UTF_8));
        } catch (java.nio.BufferUnderflowException | IllegalArgumentException e) {
            throw bad(where, 0, "is cut off inside its Spec ID event");
        }
    }

    /** Replays the events on {@code pcr}: each bank starts at zero and becomes H(value || digest). */
    static Map<Bank, byte[]> replay(Parsed log, int pcr) {
        Map<Bank, byte[]> values = new LinkedHashMap<>();
        for (Bank bank : log.header().banks()) {
            values.put(bank, new byte[bank.size]);
        }
        for (Event event : log.events()) {
            if (event.pcr() != pcr || event.type() == EV_NO_ACTION) {
                continue;
            }
            for (Map.Entry<Bank, byte[]> d : event.digests().entrySet()) {
                values.put(d.getKey(), extend(d.getKey(), values.get(d.getKey()), d.getValue()));
            }
        }
        return values;
    }

    static byte[] extend(Bank bank, byte[] value, byte[] digest) {
        MessageDigest md = bank.digest();
        md.update(value);
        md.update(digest);
        return md.digest();
    }

    static String typeName(long type) {
        return switch ((int) type) {
            case 0x3 -> "EV_NO_ACTION";
            case 0x6 -> "EV_EVENT_TAG";
            case 0xD -> "EV_IPL";
            default -> "0x" + Long.toHexString(type);
        };
    }

    static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    private static ByteBuffer le(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static BosunException bad(String where, long offset, String what) {
        return BosunException.invalid("TPM event log " + where + ": the event at offset " + offset + " " + what
                + "; the log is damaged: move it aside (bosun starts a new one, and 'bosun tpm log' will report"
                + " a mismatch until the TPM is reset)");
    }
}
