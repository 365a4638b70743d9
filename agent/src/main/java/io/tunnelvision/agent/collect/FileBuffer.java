package io.tunnelvision.agent.collect;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Reads whole files into one byte array that is kept between reads, and shows the bytes as characters.
 *
 * <p>Why not {@code Files.readString}: {@code /proc/interrupts} of a 1152-CPU host is 13 MB. Reading it into a
 * fresh array and then decoding it into a String would make 26 MB of garbage every second on an agent meant
 * to live in 64 MB. The parsers only look at ASCII, so each byte is shown as one char; text that is copied out
 * (device and interface names) is decoded as UTF-8 then.
 *
 * <p>Not thread-safe, and what {@link #read} returns is valid only until the next call.
 */
public final class FileBuffer {

    // procfs hands out at most a few pages per read; bigger chunks would only make the JDK keep a bigger
    // temporary native buffer per thread.
    private static final int CHUNK = 64 * 1024;

    private byte[] bytes = new byte[CHUNK];

    /** The file's content, or null if it does not exist. */
    public CharSequence read(Path file) throws IOException {
        int length = 0;
        try (InputStream in = Files.newInputStream(file)) {
            while (true) {
                if (length == bytes.length) {
                    bytes = Arrays.copyOf(bytes, bytes.length * 2);
                }
                int n = in.read(bytes, length, Math.min(CHUNK, bytes.length - length));
                if (n < 0) {
                    break;
                }
                length += n;
            }
        } catch (NoSuchFileException e) {
            return null;
        }
        return new AsciiBytes(bytes, length);
    }
}
