package org.libpoints;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Strings cross to C as NUL-ended UTF-8 byte arrays. JNI's own string
 * functions speak "modified UTF-8", which encodes characters beyond the
 * BMP (emoji) as surrogate pairs that the library rightly rejects.
 */
final class Utf8 {
    private Utf8() {
    }

    /** The UTF-8 bytes of s and a NUL; null stays null. */
    static byte[] encode(String s) {
        return encode(s, "a string");
    }

    /**
     * The same, naming the argument {@code what} when s holds a NUL
     * character: C would read s only up to there ("E1001\0x" would
     * find E1001), so it is refused.
     */
    static byte[] encode(String s, String what) {
        if (s == null)
            return null;
        if (s.indexOf('\0') >= 0)
            throw new InvalidArgumentException(what + " holds a NUL character, which C cannot pass: "
                    + s.replace('\0', '?'));
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return Arrays.copyOf(b, b.length + 1);
    }

    static String decode(byte[] b) {
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }
}
