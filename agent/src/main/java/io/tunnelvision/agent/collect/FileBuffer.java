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
 * <p>A file may take at most a quarter of the heap ({@link #limitForHeap}): growing the array to hold it needs
 * one and a half times its size at once, and its parse needs room too. A bigger file is refused with an
 * {@link IOException} that names the heap to give the agent, so the collector fails visibly (logged, counted in
 * its metrics) and the other collectors go on, instead of an {@link OutOfMemoryError} that could stop any thread.
 *
 * <p>Not thread-safe, and what {@link #read} returns is valid only until the next call.
 */
public final class FileBuffer {

    // procfs hands out at most a few pages per read; bigger chunks would only make the JDK keep a bigger
    // temporary native buffer per thread.
    private static final int CHUNK = 64 * 1024;

    private final long limit;
    private byte[] bytes = new byte[CHUNK];

    /** A buffer that reads files of up to a quarter of this JVM's maximum heap. */
    public FileBuffer() {
        this(limitForHeap(Runtime.getRuntime().maxMemory()));
    }

    public FileBuffer(long limitBytes) {
        this.limit = Math.max(CHUNK, Math.min(limitBytes, Integer.MAX_VALUE - 8));
    }

    static long limitForHeap(long maxHeapBytes) {
        return maxHeapBytes / 4;
    }

    /** The file's content, or null if it does not exist. */
    public CharSequence read(Path file) throws IOException {
        int length = 0;
        try (InputStream in = Files.newInputStream(file)) {
            while (true) {
                if (length == bytes.length) {
                    if (length >= limit) {
                        throw new IOException(tooLarge(file));
                    }
                    bytes = Arrays.copyOf(bytes, (int) Math.min((long) bytes.length * 2, limit));
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

    private String tooLarge(Path file) {
        long heapMb = Runtime.getRuntime().maxMemory() >> 20;
        return file + " is larger than " + (limit >> 10) + " KiB, the most this agent reads with a heap of " + heapMb
                + " MiB: start it with -Xmx of at least four times the file's size (a host with 1,000 CPUs or more"
                + " needs about -Xmx64m, agent/README.md)";
    }
}
