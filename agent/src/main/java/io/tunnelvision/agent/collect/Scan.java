package io.tunnelvision.agent.collect;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Index arithmetic over text, shared by the hand-written parsers: over the file's bytes for the big files
 * ({@code /proc/interrupts}, {@code softnet_stat}, {@code softirqs}), over a {@link CharSequence} for the small
 * ones.
 *
 * <p>Why not {@code String.split} or a regex: {@code /proc/interrupts} of a 1152-CPU host is 13 MB, read once
 * per second, and more than a million numbers. Walking indices allocates nothing per token, so the parse costs
 * little more than reading the bytes. Why bytes and not {@code CharSequence.charAt} for the big files: a call
 * per character, bounds-checked twice, cost several times the read itself. Every method takes the bounds it may
 * look at and never reads past {@code end}.
 */
final class Scan {

    /** Returned by the number parsers for a token that is not a number. */
    static final long NOT_A_NUMBER = -1;

    // 19 decimal digits always fit in a long; the kernel prints at most 20 (u64) in these files.
    private static final int MAX_DECIMAL_DIGITS = 19;
    private static final int MAX_HEX_DIGITS = 16;
    // " %10u": the width of one /proc/interrupts count with its separating space.
    private static final int FIXED_FIELD = 11;

    // Eight bytes at a time where the files are mostly padding: /proc/interrupts right-aligns every count in
    // a 10-character column, so most of a big host's file is runs of spaces before a single "0".
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long EIGHT_SPACES = 0x2020202020202020L;
    private static final long EIGHT_NEWLINES = 0x0a0a0a0a0a0a0a0aL;
    private static final long LOW_BITS = 0x0101010101010101L;
    private static final long HIGH_BITS = 0x8080808080808080L;

    private Scan() {
    }

    // ---- bytes: the big files, as FileBuffer hands them over (see AsciiBytes) ----

    /** Index of the {@code '\n'} that ends the line starting at {@code from}, or {@code length} for the last one. */
    static int lineEnd(byte[] text, int from, int length) {
        int i = from;
        while (i + Long.BYTES <= length) {
            // The classic "has a zero byte" test on the word XOR newlines; its lowest flagged byte is always a
            // real newline (a false flag can only sit above a real one), so it gives the first newline exactly.
            long x = (long) LONGS.get(text, i) ^ EIGHT_NEWLINES;
            long newlines = (x - LOW_BITS) & ~x & HIGH_BITS;
            if (newlines != 0) {
                return i + (Long.numberOfTrailingZeros(newlines) >>> 3);
            }
            i += Long.BYTES;
        }
        while (i < length && text[i] != '\n') {
            i++;
        }
        return i;
    }

    static boolean isSpace(byte b) {
        return b == ' ' || b == '\t' || b == '\r';
    }

    /** First index at or after {@code from} that is not a space, or {@code end}; stops at a newline. */
    static int skipSpaces(byte[] text, int from, int end) {
        int i = from;
        while (i + Long.BYTES <= end && (long) LONGS.get(text, i) == EIGHT_SPACES) {
            i += Long.BYTES;
        }
        while (i < end && isSpace(text[i])) {
            i++;
        }
        return i;
    }

    /** End (exclusive) of the token starting at {@code from}: the next space or newline, or {@code end}. */
    static int tokenEnd(byte[] text, int from, int end) {
        int i = from;
        while (i < end && !isSpace(text[i]) && text[i] != '\n') {
            i++;
        }
        return i;
    }

    /** End (exclusive) of the text in {@code [from, end)} once trailing spaces are dropped. */
    static int trimEnd(byte[] text, int from, int end) {
        int i = end;
        while (i > from && isSpace(text[i - 1])) {
            i--;
        }
        return i;
    }

    /** Index of {@code c} in {@code [from, end)}, or -1. */
    static int indexOf(byte[] text, char c, int from, int end) {
        for (int i = from; i < end; i++) {
            if (text[i] == c) {
                return i;
            }
        }
        return -1;
    }

    /** The unsigned decimal number in {@code [from, to)}, or {@link #NOT_A_NUMBER} if it is empty or not all digits. */
    static long decimal(byte[] text, int from, int to) {
        if (from >= to || to - from > MAX_DECIMAL_DIGITS) {
            return NOT_A_NUMBER;
        }
        long value = 0;
        for (int i = from; i < to; i++) {
            int digit = text[i] - '0';
            if (digit < 0 || digit > 9) {
                return NOT_A_NUMBER;
            }
            value = value * 10 + digit;
        }
        return value;
    }

    /**
     * Reads {@code into.length} space-separated unsigned decimal numbers starting at {@code from}, the hot loop
     * of /proc/interrupts (a million numbers on a big host). Each character is looked at once, the padding
     * mostly eight at a time. A newline ends the numbers as {@code end} does, so a caller may pass the end of
     * the file and find the end of the line afterwards, reading the line once instead of twice.
     *
     * @return the index after the last number, or -1 if there are fewer numbers or one is not a number
     */
    static int decimals(byte[] text, int from, int end, long[] into) {
        int i = from;
        for (int column = 0; column < into.length; column++) {
            long fixed = fixedWidthCount(text, i, end);
            if (fixed >= 0) {
                into[column] = fixed;
                i += FIXED_FIELD;
                continue;
            }
            i = skipSpaces(text, i, end);
            int start = i;
            long value = 0;
            // A plain loop: converting up to eight digits at once from a long was measured slower here (the
            // extra load and multiplications cost more than the loop over the one or two digits most counts have).
            while (i < end) {
                int digit = text[i] - '0';
                if (digit < 0 || digit > 9) {
                    break;
                }
                value = value * 10 + digit;
                i++;
            }
            if (i == start || i - start > MAX_DECIMAL_DIGITS || (i < end && !isSpace(text[i]) && text[i] != '\n')) {
                return -1;
            }
            into[column] = value;
        }
        return i;
    }

    /**
     * The count in the eleven bytes at {@code at} if they are laid out as the kernel prints a /proc/interrupts
     * count ({@code " %10u"}: a space, then the number right-aligned in ten columns) and followed by a space, a
     * newline or {@code end}; else {@link #NOT_A_NUMBER}, and the caller takes the general path, which reads the
     * same bytes to the same value. A 32-bit count has at most ten digits, so every field of a real file is this
     * wide: the last eight bytes are checked and converted as one {@code long}, the two before them one by one.
     */
    static long fixedWidthCount(byte[] text, int at, int end) {
        int fieldEnd = at + FIXED_FIELD;
        if (fieldEnd > end || (fieldEnd < end && text[fieldEnd] != ' ' && text[fieldEnd] != '\n')) {
            return NOT_A_NUMBER;
        }
        long head = (long) LONGS.get(text, at) & 0xffffff; // the separator and the two leading columns
        long word = (long) LONGS.get(text, at + 3);
        long digits = inRange(word, '0', '9');
        if (head == 0x202020L) {
            // Spaces then at least one digit: the bytes that are no digit are spaces, they are a run from the
            // start (the low bytes, little-endian), and the last byte is a digit.
            long spaceBytes = ((digits ^ HIGH_BITS) >>> 7) * 0xff;
            if ((word & spaceBytes) != (EIGHT_SPACES & spaceBytes) || (spaceBytes & (spaceBytes + 1)) != 0
                    || digits >= 0) {
                return NOT_A_NUMBER;
            }
            return eightDigits(word & 0x0f0f0f0f0f0f0f0fL); // a space's low nibble is 0
        }
        // Nine or ten digits: the two leading columns hold digits (or a space and a digit).
        int first = (int) (head >>> 8) & 0xff;
        int second = (int) (head >>> 16);
        if ((head & 0xff) != ' ' || digits != HIGH_BITS || second < '0' || second > '9'
                || first != ' ' && (first < '0' || first > '9')) {
            return NOT_A_NUMBER;
        }
        long high = first == ' ' ? second - '0' : (first - '0') * 10 + (second - '0');
        return high * 100_000_000L + eightDigits(word & 0x0f0f0f0f0f0f0f0fL);
    }

    /** Eight digit values, one per byte, the first (lowest) byte the most significant, as one number. */
    private static long eightDigits(long v) {
        long pairs = (v * (10 * 256 + 1)) >>> 8;                                      // even bytes: 10a + b
        long quads = ((pairs & 0x00ff00ff00ff00ffL) * (100 * 65536 + 1)) >>> 16;       // even shorts: 100a + b
        return ((quads & 0x0000ffff0000ffffL) * (10_000L * (1L << 32) + 1)) >>> 32;    // 10000a + b
    }

    /** The high bit of each byte of {@code word} that is in {@code [low, high]}, a range of 7-bit ASCII. */
    private static long inRange(long word, char low, char high) {
        long ascii = word & ~HIGH_BITS; // bytes of 0x80 and above must neither match nor carry into their neighbour
        long atLeastLow = ascii + (0x80 - low) * LOW_BITS;
        long aboveHigh = ascii + (0x7f - high) * LOW_BITS;
        return atLeastLow & ~aboveHigh & ~word & HIGH_BITS;
    }

    /**
     * The eight hexadecimal digits at {@code at} (the kernel's {@code %08x}), or {@link #NOT_A_NUMBER} if one is
     * not a hex digit; {@code at + 8} must be in bounds. The whole of softnet_stat is such numbers.
     */
    static long hex8(byte[] text, int at) {
        long word = (long) LONGS.get(text, at);
        long digits = inRange(word, '0', '9');
        long letters = inRange(word | 0x2020202020202020L, 'a', 'f'); // A-F folded onto a-f
        if ((digits | letters) != HIGH_BITS) {
            return NOT_A_NUMBER;
        }
        // Each byte's low nibble is the digit's value for 0-9 and 9 less than it for a-f and A-F.
        long v = (word & 0x0f0f0f0f0f0f0f0fL) + (letters >>> 7) * 9;
        v = ((v & 0x000f000f000f000fL) << 4) | ((v >>> 8) & 0x000f000f000f000fL);
        v = ((v & 0x000000ff000000ffL) << 8) | ((v >>> 16) & 0x000000ff000000ffL);
        return ((v & 0xffffL) << 16) | ((v >>> 32) & 0xffffL);
    }

    /** The unsigned hexadecimal number in {@code [from, to)} (no {@code 0x}), or {@link #NOT_A_NUMBER}. */
    static long hex(byte[] text, int from, int to) {
        if (from >= to || to - from > MAX_HEX_DIGITS) {
            return NOT_A_NUMBER;
        }
        long value = 0;
        for (int i = from; i < to; i++) {
            int digit = hexDigit((char) (text[i] & 0xff));
            if (digit < 0) {
                return NOT_A_NUMBER;
            }
            value = (value << 4) | digit;
        }
        return value < 0 ? NOT_A_NUMBER : value;
    }

    /** Whether {@code [from, to)} is non-empty and all ASCII digits. */
    static boolean isDigits(byte[] text, int from, int to) {
        if (from >= to) {
            return false;
        }
        for (int i = from; i < to; i++) {
            if (text[i] < '0' || text[i] > '9') {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code [from, to)} equals the ASCII text {@code expected}. */
    static boolean regionEquals(byte[] text, int from, int to, String expected) {
        if (to - from != expected.length()) {
            return false;
        }
        for (int i = 0; i < expected.length(); i++) {
            if (text[from + i] != expected.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** {@code [from, to)} decoded as UTF-8, so that non-ASCII interface names survive. */
    static String string(byte[] text, int from, int to) {
        return new String(text, from, to - from, StandardCharsets.UTF_8);
    }

    // ---- CharSequence: the small files ----

    /** Index of the {@code '\n'} that ends the line starting at {@code from}, or {@code length} for the last one. */
    static int lineEnd(CharSequence text, int from, int length) {
        if (text instanceof AsciiBytes) {
            return lineEnd(((AsciiBytes) text).bytes(), from, length);
        }
        int i = from;
        while (i < length && text.charAt(i) != '\n') {
            i++;
        }
        return i;
    }

    static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\r';
    }

    /** First index at or after {@code from} that is not a space, or {@code end}. */
    static int skipSpaces(CharSequence text, int from, int end) {
        int i = from;
        while (i < end && isSpace(text.charAt(i))) {
            i++;
        }
        return i;
    }

    /** End (exclusive) of the token starting at {@code from}: the next space or {@code end}. */
    static int tokenEnd(CharSequence text, int from, int end) {
        int i = from;
        while (i < end && !isSpace(text.charAt(i))) {
            i++;
        }
        return i;
    }

    /** End (exclusive) of the text in {@code [from, end)} once trailing spaces are dropped. */
    static int trimEnd(CharSequence text, int from, int end) {
        int i = end;
        while (i > from && isSpace(text.charAt(i - 1))) {
            i--;
        }
        return i;
    }

    /** Index of {@code c} in {@code [from, end)}, or -1. */
    static int indexOf(CharSequence text, char c, int from, int end) {
        for (int i = from; i < end; i++) {
            if (text.charAt(i) == c) {
                return i;
            }
        }
        return -1;
    }

    /** The unsigned decimal number in {@code [from, to)}, or {@link #NOT_A_NUMBER} if it is empty or not all digits. */
    static long decimal(CharSequence text, int from, int to) {
        if (from >= to || to - from > MAX_DECIMAL_DIGITS) {
            return NOT_A_NUMBER;
        }
        long value = 0;
        for (int i = from; i < to; i++) {
            int digit = text.charAt(i) - '0';
            if (digit < 0 || digit > 9) {
                return NOT_A_NUMBER;
            }
            value = value * 10 + digit;
        }
        return value;
    }

    /** The unsigned hexadecimal number in {@code [from, to)} (no {@code 0x}), or {@link #NOT_A_NUMBER}. */
    static long hex(CharSequence text, int from, int to) {
        if (from >= to || to - from > MAX_HEX_DIGITS) {
            return NOT_A_NUMBER;
        }
        long value = 0;
        for (int i = from; i < to; i++) {
            int digit = hexDigit(text.charAt(i));
            if (digit < 0) {
                return NOT_A_NUMBER;
            }
            value = (value << 4) | digit;
        }
        // 16 hex digits can set the sign bit; no counter in these files is that large, so treat it as garbage.
        return value < 0 ? NOT_A_NUMBER : value;
    }

    private static int hexDigit(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    /** Whether {@code [from, to)} is non-empty and all ASCII digits. */
    static boolean isDigits(CharSequence text, int from, int to) {
        if (from >= to) {
            return false;
        }
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code [from, to)} equals {@code expected}. */
    static boolean regionEquals(CharSequence text, int from, int to, String expected) {
        if (to - from != expected.length()) {
            return false;
        }
        for (int i = 0; i < expected.length(); i++) {
            if (text.charAt(from + i) != expected.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    static String string(CharSequence text, int from, int to) {
        return text.subSequence(from, to).toString();
    }
}
