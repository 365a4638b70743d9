package io.tunnelvision.agent.collect;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** One-value files of sysfs and {@code /proc/sys}: read whole, surrounding whitespace removed. */
final class SmallFiles {

    private SmallFiles() {
    }

    /** More than any one-value file holds; a uevent or a long cpu list stays well under it. */
    private static final int MAX_BYTES = 64 * 1024;

    /**
     * The trimmed content, or null if the file does not exist. Read with one large buffer because numeric sysctls
     * in {@code /proc/sys} answer only a read at offset 0: {@code Files.readAllBytes} first reads a single byte
     * (procfs reports size 0) and then gets end-of-file, turning 4194304 into 4.
     */
    static String read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[MAX_BYTES];
            int n = in.read(buffer);
            return n <= 0 ? "" : new String(buffer, 0, n, StandardCharsets.UTF_8).strip();
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /** A decimal value, or null if the file does not exist; {@link NumberFormatException} if it holds no number. */
    static Long readLong(Path file) throws IOException {
        String text = read(file);
        return text == null ? null : Long.valueOf(Long.parseLong(text));
    }
}
