package io.tunnelvision.agent.collect;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * One-value files of sysfs and {@code /proc/sys}: read whole, surrounding whitespace removed.
 *
 * <p>One instance per collector, because the read buffer is kept: a 64-CPU gateway has some 200 of these files
 * (two per receive queue alone), and a fresh 64 KiB array per file was most of the agent's garbage, keeping a
 * small young generation collecting several times a second. Not thread-safe.
 */
final class SmallFiles {

    /** More than any one-value file holds; a uevent or a long cpu list stays well under it. */
    private static final int MAX_BYTES = 64 * 1024;

    private final byte[] buffer = new byte[MAX_BYTES];

    /**
     * The trimmed content, or null if the file does not exist. Read with one call into a large buffer because
     * numeric sysctls in {@code /proc/sys} answer only a read at offset 0: {@code Files.readAllBytes} first reads a
     * single byte (procfs reports size 0) and then gets end-of-file, turning 4194304 into 4.
     *
     * <p>Why still {@code Files.newInputStream} and not a {@code FileInputStream}: they cost the same (the
     * open, read and close system calls dominate; measured in BENCHMARKS.md), and only NIO tells a missing file
     * ({@link NoSuchFileException}, a null here) from one that may not be read.
     */
    String read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            int n = in.read(buffer);
            return n <= 0 ? "" : new String(buffer, 0, n, StandardCharsets.UTF_8).strip();
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /** A decimal value, or null if the file does not exist; {@link NumberFormatException} if it holds no number. */
    Long readLong(Path file) throws IOException {
        String text = read(file);
        return text == null ? null : Long.valueOf(Long.parseLong(text));
    }
}
