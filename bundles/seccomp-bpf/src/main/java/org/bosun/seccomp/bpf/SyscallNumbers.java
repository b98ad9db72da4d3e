package org.bosun.seccomp.bpf;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;

/**
 * The system call numbers of one Linux ABI, as the kernel headers of this bundle's build machine
 * list them (resources made by {@code bundles/seccomp-bpf/tables.sh} from Debian's linux-libc-dev).
 * Immutable and thread-safe.
 */
public final class SyscallNumbers {
    private static final SyscallNumbers X86_64 = new SyscallNumbers("x86_64", read("syscalls-x86_64.txt", 0));

    private final String abi;
    private final Map<String, Integer> numbers;

    private SyscallNumbers(String abi, Map<String, Integer> numbers) {
        this.abi = abi;
        this.numbers = numbers;
    }

    /** The x86_64 system calls (the 64-bit ABI of an x86_64 host). */
    public static SyscallNumbers x86_64() {
        return X86_64;
    }

    /** i386, libseccomp's SCMP_ARCH_X86. */
    static SyscallNumbers i386() {
        return CompatTables.I386;
    }

    /** x32, with the x32 bit (0x40000000) the kernel sets in seccomp_data.nr in every number. */
    static SyscallNumbers x32() {
        return CompatTables.X32;
    }

    /** Read on first use only: the x86_64 table alone serves most callers. */
    private static final class CompatTables {
        static final SyscallNumbers I386 = new SyscallNumbers("i386", read("syscalls-i386.txt", 0));
        static final SyscallNumbers X32 = new SyscallNumbers("x32", read("syscalls-x32.txt", 0x4000_0000));
    }

    /** Whether {@code name} is a system call of this ABI. */
    public boolean knows(String name) {
        return numbers.containsKey(name);
    }

    /** The number of {@code name} on this ABI, or empty if this ABI has no such call. */
    public OptionalInt number(String name) {
        Integer number = numbers.get(name);
        return number == null ? OptionalInt.empty() : OptionalInt.of(number);
    }

    /** The names of this ABI's system calls, in number order. */
    public Set<String> names() {
        return numbers.keySet();
    }

    /** How many system calls this ABI has. */
    public int size() {
        return numbers.size();
    }

    @Override
    public String toString() {
        return abi + " system calls (" + numbers.size() + ")";
    }

    private static Map<String, Integer> read(String resource, int numberBits) {
        byte[] text;
        try (InputStream in = SyscallNumbers.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("resource " + resource + " is missing from the seccomp-bpf bundle;"
                        + " run bundles/seccomp-bpf/tables.sh and rebuild");
            }
            text = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // ASCII "NAME NUMBER" lines and '#' comments, parsed by hand: this runs in every bosun start.
        Map<String, Integer> numbers = new LinkedHashMap<>();
        int line = 0;
        while (line < text.length) {
            int end = line;
            int space = -1;
            while (end < text.length && text[end] != '\n') {
                if (text[end] == ' ' && space < 0) {
                    space = end;
                }
                end++;
            }
            if (end > line && text[line] != '#') {
                if (space < 0) {
                    throw new IllegalStateException("resource " + resource + " has a line without a number: "
                            + new String(text, line, end - line, StandardCharsets.US_ASCII));
                }
                int number = 0;
                for (int i = space + 1; i < end; i++) {
                    number = number * 10 + (text[i] - '0');
                }
                numbers.put(new String(text, line, space - line, StandardCharsets.US_ASCII), number | numberBits);
            }
            line = end + 1;
        }
        return Collections.unmodifiableMap(numbers);
    }
}
