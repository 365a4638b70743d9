package io.tunnelvision.agent.publish;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A bounded, ordered, on-disk queue of serialized samples: the agent writes every sample here first and a sender
 * drains it to Kafka, so a broker outage or an agent restart loses nothing until the size limit is reached; then
 * the oldest segment is dropped and its unsent records are counted, never lost silently.
 *
 * <p>Layout: segment files {@code <first record number>.seg} holding records framed as
 * {@code [int length][int crc32c][payload]}, and a {@code cursor} file naming the first unsent record as
 * {@code segment offset}. A record torn by a crash fails its checksum at open and is cut off and counted.
 * Appends are not fsynced one by one: an OS crash may lose the last second, an agent crash loses nothing.
 *
 * <p>The cursor file is rewritten at most once per {@link #CURSOR_EVERY} (and whenever segments are deleted, and at
 * close), not at every commit: after a crash the records sent in the last few seconds are sent again, which
 * consumers drop by sequence number. At one batch a second the rewrite (a file written and renamed) was a
 * noticeable share of the sender's CPU.
 */
public final class DiskSpool implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DiskSpool.class);
    private static final int FRAME_HEADER = 8;
    private static final int MAX_RECORD_BYTES = 16 * 1024 * 1024;
    private static final String SUFFIX = ".seg";
    /** How often at most a commit rewrites the cursor file. */
    static final Duration CURSOR_EVERY = Duration.ofSeconds(5);
    /** One read of the segment per peek while the records fit, instead of two reads per record. */
    private static final int READ_CHUNK = 64 * 1024;

    private final Path dir;
    private final long maxBytes;
    private final long segmentBytes;
    private final long cursorEveryNanos;
    private long cursorWrittenAt;
    private boolean cursorDirty;
    /** Segment base record number → segment; oldest first. */
    private final TreeMap<Long, Segment> segments = new TreeMap<>();
    private FileChannel active;
    private Position cursor;
    private long nextRecordNumber;
    private long droppedRecords;
    private long corruptRecords;
    // Called after a record of the topic was appended: few, set up once at start.
    private final List<Listener> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();

    private record Listener(String topic, Runnable action) {
    }

    /** Where the next unsent record is: a segment and a byte offset in it. */
    public record Position(long segment, long offset) {
    }

    /** A record read from the spool, with the position just after it, to commit once it is delivered. */
    public record Entry(SpoolRecord record, Position next) {
    }

    private static final class Segment {
        final long base;
        final Path path;
        long bytes;
        long records;

        Segment(long base, Path path) {
            this.base = base;
            this.path = path;
        }
    }

    private DiskSpool(Path dir, long maxBytes, long segmentBytes, Duration cursorEvery) {
        this.dir = dir;
        this.maxBytes = maxBytes;
        this.segmentBytes = segmentBytes;
        this.cursorEveryNanos = cursorEvery.toNanos();
        this.cursorWrittenAt = System.nanoTime() - cursorEveryNanos;
    }

    /**
     * Opens (or creates) the spool in {@code dir}. Segments are a quarter of the limit, at most 4 MiB, so that
     * dropping the oldest frees a bounded share of the spool.
     */
    public static DiskSpool open(Path dir, long maxBytes) {
        return open(dir, maxBytes, CURSOR_EVERY);
    }

    static DiskSpool open(Path dir, long maxBytes, Duration cursorEvery) {
        if (maxBytes < 64 * 1024) {
            throw new IllegalArgumentException("spool limit must be at least 64 KiB, was " + maxBytes);
        }
        DiskSpool spool = new DiskSpool(dir, maxBytes, Math.min(4L * 1024 * 1024, maxBytes / 4), cursorEvery);
        try {
            Files.createDirectories(dir);
            spool.load();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open spool in " + dir, e);
        }
        return spool;
    }

    public synchronized void append(SpoolRecord record) {
        byte[] payload = record.toBytes();
        if (payload.length > MAX_RECORD_BYTES) {
            throw new IllegalArgumentException("record of " + payload.length + " bytes is larger than the spool takes");
        }
        try {
            long frame = FRAME_HEADER + payload.length;
            Segment last = segments.isEmpty() ? null : segments.lastEntry().getValue();
            if (last == null || last.bytes + frame > segmentBytes && last.records > 0) {
                last = roll();
            }
            makeRoomFor(frame);
            ByteBuffer buffer = ByteBuffer.allocate((int) frame);
            CRC32C crc = new CRC32C();
            crc.update(payload);
            buffer.putInt(payload.length).putInt((int) crc.getValue()).put(payload).flip();
            while (buffer.hasRemaining()) {
                active.write(buffer);
            }
            last.bytes += frame;
            last.records++;
            nextRecordNumber++;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to spool in " + dir, e);
        }
        for (Listener listener : listeners) {
            if (listener.topic().equals(record.topic())) {
                listener.action().run();
            }
        }
    }

    /**
     * Runs {@code action} after each record of {@code topic} is appended, on the appending thread and while the
     * spool is held: it must be short and must not call back into the spool.
     */
    public void onAppend(String topic, Runnable action) {
        listeners.add(new Listener(topic, action));
    }

    /** Up to {@code max} records from the cursor on, oldest first; the spool is unchanged until {@link #commit}. */
    public synchronized List<Entry> peek(int max) {
        List<Entry> out = new ArrayList<>();
        Position at = cursor;
        try {
            while (out.size() < max) {
                Segment segment = segments.get(at.segment());
                if (segment == null) {
                    break;
                }
                if (at.offset() >= segment.bytes) {
                    Long next = segments.higherKey(at.segment());
                    if (next == null) {
                        break;
                    }
                    at = new Position(next, 0);
                    continue;
                }
                at = readInto(segment, at, max, out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read spool in " + dir, e);
        }
        return out;
    }

    /** Everything before {@code next} was delivered: move the cursor and delete segments left behind. */
    public synchronized void commit(Position next) {
        if (next.segment() < cursor.segment()
                || next.segment() == cursor.segment() && next.offset() <= cursor.offset()) {
            return;
        }
        if (!segments.containsKey(next.segment())) {
            return; // dropped by the size limit meanwhile; the cursor already moved past it
        }
        cursor = next;
        try {
            boolean deleted = deleteSegmentsBefore(cursor.segment());
            if (deleted || System.nanoTime() - cursorWrittenAt >= cursorEveryNanos) {
                writeCursor();
            } else {
                cursorDirty = true;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot commit spool cursor in " + dir, e);
        }
    }

    public synchronized long bytes() {
        return segments.values().stream().mapToLong(s -> s.bytes).sum();
    }

    /** Records written but not yet committed. Exact: counted from the segments, not estimated. */
    public synchronized long pendingRecords() {
        long pending = 0;
        for (Segment s : segments.values()) {
            if (s.base > cursor.segment()) {
                pending += s.records;
            } else if (s.base == cursor.segment()) {
                pending += countFrom(s, cursor.offset());
            }
        }
        return pending;
    }

    public synchronized long droppedRecords() {
        return droppedRecords;
    }

    public synchronized long corruptRecords() {
        return corruptRecords;
    }

    public Path directory() {
        return dir;
    }

    @Override
    public synchronized void close() {
        try {
            if (cursorDirty) {
                writeCursor();
            }
            if (active != null) {
                active.force(false);
                active.close();
                active = null;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close spool in " + dir, e);
        }
    }

    private Segment roll() throws IOException {
        if (active != null) {
            active.force(false);
            active.close();
        }
        Path path = dir.resolve(String.format("%020d%s", nextRecordNumber, SUFFIX));
        active = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND);
        Segment segment = new Segment(nextRecordNumber, path);
        segments.put(segment.base, segment);
        return segment;
    }

    /** Drops the oldest segments, never the one being written, until {@code frame} more bytes fit. */
    private void makeRoomFor(long frame) throws IOException {
        while (bytes() + frame > maxBytes && segments.size() > 1) {
            Segment oldest = segments.firstEntry().getValue();
            long lost = oldest.base < cursor.segment() ? 0
                    : oldest.base == cursor.segment() ? countFrom(oldest, cursor.offset()) : oldest.records;
            droppedRecords += lost;
            Files.deleteIfExists(oldest.path);
            segments.remove(oldest.base);
            if (cursor.segment() <= oldest.base) {
                cursor = new Position(segments.firstKey(), 0);
                writeCursor();
            }
            LOG.warn("spool over {} bytes: dropped {} unsent records (oldest segment), {} dropped so far",
                    maxBytes, lost, droppedRecords);
        }
    }

    /**
     * Reads from {@code from} until {@code out} holds {@code max} entries or the segment ends: the frames in
     * chunks of up to {@link #READ_CHUNK} bytes (one read for a second of samples), a larger frame on its own.
     */
    private Position readInto(Segment segment, Position from, int max, List<Entry> out) throws IOException {
        try (FileChannel ch = FileChannel.open(segment.path, StandardOpenOption.READ)) {
            long offset = from.offset();
            ByteBuffer chunk = ByteBuffer.allocate(0);
            long chunkStart = offset;
            while (out.size() < max && offset < segment.bytes) {
                if (offset + FRAME_HEADER > chunkStart + chunk.limit()) {
                    chunk = readChunk(ch, offset, FRAME_HEADER, segment.bytes);
                    chunkStart = offset;
                }
                int at = (int) (offset - chunkStart);
                int length = chunk.getInt(at);
                if (offset + FRAME_HEADER + length > chunkStart + chunk.limit()) {
                    chunk = readChunk(ch, offset, FRAME_HEADER + length, segment.bytes);
                    chunkStart = offset;
                    at = 0;
                }
                byte[] payload = new byte[length];
                chunk.get(at + FRAME_HEADER, payload);
                offset += FRAME_HEADER + length;
                out.add(new Entry(SpoolRecord.fromBytes(payload), new Position(segment.base, offset)));
            }
            return new Position(segment.base, offset);
        }
    }

    /** At least {@code needed} bytes from {@code offset}, more up to a chunk or the segment's end. */
    private static ByteBuffer readChunk(FileChannel ch, long offset, int needed, long segmentEnd) throws IOException {
        int size = (int) Math.max(needed, Math.min(READ_CHUNK, segmentEnd - offset));
        ByteBuffer chunk = ByteBuffer.allocate(size);
        readFully(ch, chunk, offset);
        chunk.flip();
        return chunk;
    }

    private void load() throws IOException {
        List<Path> files;
        try (Stream<Path> list = Files.list(dir)) {
            files = list.filter(p -> p.getFileName().toString().endsWith(SUFFIX)).sorted().toList();
        }
        for (int i = 0; i < files.size(); i++) {
            Path path = files.get(i);
            String name = path.getFileName().toString();
            long base = Long.parseLong(name.substring(0, name.length() - SUFFIX.length()));
            Segment segment = new Segment(base, path);
            scan(segment);
            segments.put(base, segment);
            nextRecordNumber = base + segment.records;
        }
        cursor = readCursor();
        if (!segments.isEmpty()) {
            Segment last = segments.lastEntry().getValue();
            active = FileChannel.open(last.path, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
            LOG.info("spool in {}: {} segments, {} unsent records", dir, segments.size(), pendingRecords());
        }
    }

    /** Counts the intact records of a segment and cuts off a torn or corrupt tail. */
    private void scan(Segment segment) throws IOException {
        try (FileChannel ch = FileChannel.open(segment.path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long size = ch.size();
            long offset = 0;
            ByteBuffer header = ByteBuffer.allocate(FRAME_HEADER);
            while (offset < size) {
                if (size - offset < FRAME_HEADER) {
                    break;
                }
                header.clear();
                readFully(ch, header, offset);
                header.flip();
                int length = header.getInt();
                int crc = header.getInt();
                if (length < 0 || length > MAX_RECORD_BYTES || offset + FRAME_HEADER + length > size) {
                    break;
                }
                ByteBuffer payload = ByteBuffer.allocate(length);
                readFully(ch, payload, offset + FRAME_HEADER);
                CRC32C check = new CRC32C();
                check.update(payload.array());
                if ((int) check.getValue() != crc) {
                    break;
                }
                offset += FRAME_HEADER + length;
                segment.records++;
            }
            if (offset < size) {
                corruptRecords++;
                LOG.warn("spool segment {}: cut {} bytes of a torn or corrupt record at offset {}",
                        segment.path.getFileName(), size - offset, offset);
                ch.truncate(offset);
            }
            segment.bytes = offset;
        }
    }

    private long countFrom(Segment segment, long offset) {
        if (offset == 0) {
            return segment.records;
        }
        try (FileChannel ch = FileChannel.open(segment.path, StandardOpenOption.READ)) {
            long count = 0;
            long at = offset;
            ByteBuffer header = ByteBuffer.allocate(FRAME_HEADER);
            while (at < segment.bytes) {
                header.clear();
                readFully(ch, header, at);
                header.flip();
                at += FRAME_HEADER + header.getInt();
                count++;
            }
            return count;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return whether any segment was deleted (the cursor file must then be written before it points nowhere) */
    private boolean deleteSegmentsBefore(long base) throws IOException {
        boolean deleted = false;
        while (!segments.isEmpty() && segments.firstKey() < base) {
            Segment gone = segments.pollFirstEntry().getValue();
            Files.deleteIfExists(gone.path);
            deleted = true;
        }
        return deleted;
    }

    private Position readCursor() throws IOException {
        Path file = dir.resolve("cursor");
        Position start = new Position(segments.isEmpty() ? 0 : segments.firstKey(), 0);
        if (!Files.exists(file)) {
            return start;
        }
        String[] parts = Files.readString(file, StandardCharsets.US_ASCII).trim().split(" ");
        try {
            Position saved = new Position(Long.parseLong(parts[0]), Long.parseLong(parts[1]));
            Segment segment = segments.get(saved.segment());
            if (segment == null) {
                return start; // its segment was dropped or fully sent
            }
            return saved.offset() <= segment.bytes ? saved : new Position(saved.segment(), segment.bytes);
        } catch (RuntimeException e) {
            LOG.warn("spool cursor file unreadable ({}); replaying from the oldest record", e.toString());
            return start;
        }
    }

    private void writeCursor() throws IOException {
        Path tmp = dir.resolve("cursor.tmp");
        Files.writeString(tmp, cursor.segment() + " " + cursor.offset() + "\n", StandardCharsets.US_ASCII);
        try {
            Files.move(tmp, dir.resolve("cursor"), StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, dir.resolve("cursor"), StandardCopyOption.REPLACE_EXISTING);
        }
        cursorWrittenAt = System.nanoTime();
        cursorDirty = false;
    }

    private static void readFully(FileChannel ch, ByteBuffer buffer, long position) throws IOException {
        long at = position;
        while (buffer.hasRemaining()) {
            int n = ch.read(buffer, at);
            if (n < 0) {
                throw new IOException("unexpected end of spool segment at " + at);
            }
            at += n;
        }
    }
}
