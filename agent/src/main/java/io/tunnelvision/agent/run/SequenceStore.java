package io.tunnelvision.agent.run;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The sample sequence number, kept on disk so it keeps rising across agent restarts: the streams app drops a
 * sample whose sequence is not newer than the last one of the same boot, so starting again at 0 after a restart
 * would make the agent invisible until it caught up.
 */
public final class SequenceStore {

    private final Path file;
    private long next;

    public SequenceStore(Path dir) {
        this.file = dir.resolve("sequence");
        try {
            Files.createDirectories(dir);
            this.next = Files.exists(file) ? parse(Files.readString(file, StandardCharsets.US_ASCII)) : 0;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private static long parse(String text) {
        try {
            return Math.max(0, Long.parseLong(text.trim()));
        } catch (NumberFormatException e) {
            // A torn write: the streams app tolerates a gap, not a step back; jump well ahead of any value we wrote.
            return System.currentTimeMillis();
        }
    }

    /** The number for this collection round; stored before it is used, so a crash never reuses it. */
    public long take() {
        long value = next++;
        Path tmp = file.resolveSibling("sequence.tmp");
        try {
            Files.writeString(tmp, Long.toString(next), StandardCharsets.US_ASCII);
            try {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store the sequence in " + file, e);
        }
        return value;
    }
}
