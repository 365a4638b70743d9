package io.tunnelvision.agent.collect;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** One-value files of sysfs and {@code /proc/sys}: read whole, surrounding whitespace removed. */
final class SmallFiles {

    private SmallFiles() {
    }

    /** The trimmed content, or null if the file does not exist. */
    static String read(Path file) throws IOException {
        try {
            return new String(Files.readAllBytes(file), StandardCharsets.UTF_8).strip();
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
