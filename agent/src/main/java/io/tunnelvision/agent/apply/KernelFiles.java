package io.tunnelvision.agent.apply;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Reads and writes one-value files of sysfs, {@code /proc/sys} and {@code /proc/irq} the way the kernel expects.
 *
 * <p>Reads take one {@code read(2)} into a large buffer: numeric sysctls answer only a read at offset 0, so a
 * reader that first asks for a few bytes and then continues gets a truncated number. Writes are one {@code
 * write(2)} of the value and a newline at offset 0 on a file opened without O_CREAT and with O_NOFOLLOW: sysfs
 * parses each write call on its own, a missing attribute must fail rather than appear as a new file in a test
 * tree, and the last path component must not be a symlink planted somewhere writable. O_TRUNC is there for
 * directory trees standing in for the kernel (sysfs and procfs ignore it, as they do for a shell's {@code >}).
 */
final class KernelFiles {

    private static final int MAX_BYTES = 64 * 1024;

    private KernelFiles() {
    }

    /** The trimmed content. */
    static String read(Path file) throws ApplyFailure {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer buffer = ByteBuffer.allocate(MAX_BYTES);
            int n = channel.read(buffer);
            return n <= 0 ? "" : new String(buffer.array(), 0, n, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw ApplyFailure.of("read", file, e);
        }
    }

    /** Writes {@code value} and a newline in a single call. */
    static void write(Path file, String value) throws ApplyFailure {
        byte[] bytes = (value + "\n").getBytes(StandardCharsets.US_ASCII);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING, LinkOption.NOFOLLOW_LINKS)) {
            int written = channel.write(ByteBuffer.wrap(bytes));
            if (written != bytes.length) {
                throw new ApplyFailure("write", file, "EIO", "the kernel took " + written + " of "
                        + bytes.length + " bytes");
            }
        } catch (IOException e) {
            throw ApplyFailure.of("write", file, e);
        }
    }
}
