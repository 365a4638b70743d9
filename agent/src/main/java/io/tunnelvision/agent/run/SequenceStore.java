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
 *
 * <p>The file holds a bound, not the last number: numbers are leased {@link #LEASE} at a time, and the file is
 * rewritten (a write and a rename) only when a lease runs out, instead of every round. After a restart the agent
 * starts at the bound, above anything it handed out; streams takes the gap for what it is (a rate over the real
 * elapsed time), never a step back.
 */
public final class SequenceStore {

    /** Numbers handed out per write of the file: ten minutes at 1 Hz. */
    static final long LEASE = 600;

    private final Path file;
    private long next;
    private long leasedUntil; // no number at or above it was handed out

    public SequenceStore(Path dir) {
        this.file = dir.resolve("sequence");
        try {
            Files.createDirectories(dir);
            this.next = Files.exists(file) ? parse(Files.readString(file, StandardCharsets.US_ASCII)) : 0;
            this.leasedUntil = next;
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

    /** The number for this collection round; leased on disk before it is used, so a crash never reuses it. */
    public long take() {
        if (next >= leasedUntil) {
            store(next + LEASE);
            leasedUntil = next + LEASE;
        }
        return next++;
    }

    private void store(long bound) {
        Path tmp = file.resolveSibling("sequence.tmp");
        try {
            Files.writeString(tmp, Long.toString(bound), StandardCharsets.US_ASCII);
            try {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store the sequence in " + file, e);
        }
    }
}
