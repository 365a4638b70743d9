package io.tunnelvision.agent.collect;

import java.nio.charset.StandardCharsets;

/**
 * The first {@code length} bytes of an array shown as characters, one byte each: what {@link FileBuffer} hands
 * to the parsers. Copies ({@link #subSequence}, {@link #toString}) decode as UTF-8, so that non-ASCII interface
 * names survive; the parsers themselves only compare ASCII.
 *
 * <p>The parsers of the big files read the array directly ({@link #of}, {@link Scan}): going through
 * {@link #charAt} for every character of a 13 MB {@code /proc/interrupts} costs several times the read itself.
 */
final class AsciiBytes implements CharSequence {

    private final byte[] bytes;
    private final int length;

    AsciiBytes(byte[] bytes, int length) {
        if (length < 0 || length > bytes.length) {
            throw new IllegalArgumentException("length " + length + " outside 0.." + bytes.length);
        }
        this.bytes = bytes;
        this.length = length;
    }

    /**
     * {@code text} as bytes: itself when it already is, else its UTF-8 encoding, so that the byte parsers also
     * take strings (tests, fixtures) and read them exactly as they read a file.
     */
    static AsciiBytes of(CharSequence text) {
        if (text instanceof AsciiBytes) {
            return (AsciiBytes) text;
        }
        byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
        return new AsciiBytes(bytes, bytes.length);
    }

    /** The backing array; only indices below {@link #length()} belong to the text. */
    byte[] bytes() {
        return bytes;
    }

    @Override
    public int length() {
        return length;
    }

    @Override
    public char charAt(int index) {
        if (index < 0 || index >= length) {
            throw new IndexOutOfBoundsException(index);
        }
        return (char) (bytes[index] & 0xff);
    }

    @Override
    public CharSequence subSequence(int start, int end) {
        if (start < 0 || end > length || start > end) {
            throw new IndexOutOfBoundsException("[" + start + ", " + end + ") outside [0, " + length + ")");
        }
        return new String(bytes, start, end - start, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return new String(bytes, 0, length, StandardCharsets.UTF_8);
    }
}
