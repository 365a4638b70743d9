package io.tunnelvision.agent.collect;

/**
 * Index arithmetic over a {@link CharSequence}, shared by the hand-written parsers.
 *
 * <p>Why not {@code String.split} or a regex: {@code /proc/interrupts} of a 1152-CPU host is 13 MB, read once
 * per second, and more than a million numbers. Walking indices allocates nothing per token, so the parse costs
 * little more than reading the bytes. Every method takes the bounds it may look at and never reads past
 * {@code end}.
 */
final class Scan {

    /** Returned by the number parsers for a token that is not a number. */
    static final long NOT_A_NUMBER = -1;

    // 19 decimal digits always fit in a long; the kernel prints at most 20 (u64) in these files.
    private static final int MAX_DECIMAL_DIGITS = 19;
    private static final int MAX_HEX_DIGITS = 16;

    private Scan() {
    }

    /** Index of the {@code '\n'} that ends the line starting at {@code from}, or {@code length} for the last one. */
    static int lineEnd(CharSequence text, int from, int length) {
        if (text instanceof AsciiBytes) {
            byte[] bytes = ((AsciiBytes) text).bytes();
            int i = from;
            while (i < length && bytes[i] != '\n') {
                i++;
            }
            return i;
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

    /**
     * Reads {@code into.length} space-separated unsigned decimal numbers starting at {@code from}, the hot loop
     * of /proc/interrupts (a million numbers on a big host). Each character is looked at once.
     *
     * @return the index after the last number, or -1 if there are fewer numbers or one is not a number
     */
    static int decimals(CharSequence text, int from, int end, long[] into) {
        if (text instanceof AsciiBytes) {
            return decimals(((AsciiBytes) text).bytes(), from, end, into);
        }
        int i = from;
        for (int column = 0; column < into.length; column++) {
            while (i < end && isSpace(text.charAt(i))) {
                i++;
            }
            int start = i;
            long value = 0;
            while (i < end) {
                int digit = text.charAt(i) - '0';
                if (digit < 0 || digit > 9) {
                    break;
                }
                value = value * 10 + digit;
                i++;
            }
            if (i == start || i - start > MAX_DECIMAL_DIGITS || (i < end && !isSpace(text.charAt(i)))) {
                return -1;
            }
            into[column] = value;
        }
        return i;
    }

    /** {@link #decimals(CharSequence, int, int, long[])} on the bytes themselves; {@code end} is in bounds. */
    private static int decimals(byte[] text, int from, int end, long[] into) {
        int i = from;
        for (int column = 0; column < into.length; column++) {
            while (i < end && (text[i] == ' ' || text[i] == '\t')) {
                i++;
            }
            int start = i;
            long value = 0;
            while (i < end) {
                int digit = text[i] - '0';
                if (digit < 0 || digit > 9) {
                    break;
                }
                value = value * 10 + digit;
                i++;
            }
            if (i == start || i - start > MAX_DECIMAL_DIGITS || (i < end && !isSpace((char) (text[i] & 0xff)))) {
                return -1;
            }
            into[column] = value;
        }
        return i;
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
