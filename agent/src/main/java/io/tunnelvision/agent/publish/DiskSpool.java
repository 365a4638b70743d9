package io.tunnelvision.agent.publish;

import io.tunnelvision.agent.publish.SegmentReader.Damage;
import io.tunnelvision.agent.publish.SegmentReader.Frame;
import io.tunnelvision.agent.publish.SegmentReader.Item;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A bounded, ordered, on-disk queue of serialized records: the agent writes every sample and command result here
 * first and a sender drains it to Kafka, so a broker outage or an agent restart loses nothing until the size limit
 * is reached; then the oldest segment is dropped and its unsent records are counted, never lost silently.
 *
 * <p>Layout: segment files {@code <first record number>.spool} holding frames with a marker and a CRC-32C each
 * ({@link SegmentReader}), and a {@code cursor} file naming the first unsent record as {@code segment offset crc}.
 * What can go wrong, and what it costs:
 * <ul>
 *   <li>A record torn by a crash, or a flipped bit anywhere in a segment, loses that record only: the scan at
 *       open (and every read) skips to the next frame that checks out, zero-fills the damage so it is counted once,
 *       and counts it ({@link #corruptRecords()}). A torn tail is cut off.</li>
 *   <li>A failed or short append (a full disk) leaves nothing behind: the file is cut back to the end of the last
 *       good frame, the failure is counted ({@link #appendFailures()}) and thrown as a
 *       {@link SpoolAppendException}; everything appended before it is still sent. When all is sent, the next
 *       append starts a new segment and deletes the sent one, so a full disk the spool itself filled frees up as
 *       soon as Kafka has taken the backlog.</li>
 *   <li>A segment that vanished or cannot be read three times in a row is given up and its unsent records
 *       counted ({@link #unreadableRecords()}), instead of stopping the sender for good.</li>
 *   <li>Durability against an OS crash or power cut follows the {@link SpoolFsync} policy (by default a force
 *       every second: at most the last second is lost). Killing the agent loses nothing it appended.</li>
 * </ul>
 * Segments written before the framing had markers ({@code <n>.seg}) are still read, never appended to, and
 * deleted once sent; their first damage still cuts the rest of the segment.
 *
 * <p>The cursor file is rewritten in place (no new file, so it works on a full disk) at most once per
 * {@link #CURSOR_EVERY} (and whenever segments are deleted, and at close), not at every commit: after a crash the
 * records sent in the last few seconds are sent again, which consumers drop by sequence number. At one batch a
 * second, a rewrite per commit was a noticeable share of the sender's CPU.
 */
public final class DiskSpool implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DiskSpool.class);
    private static final String SUFFIX = ".spool";
    private static final String LEGACY_SUFFIX = ".seg";
    private static final String CURSOR = "cursor";
    /** {@code %020d %020d %08x\n}: fixed width, so a rewrite in place never leaves an old tail behind. */
    private static final int CURSOR_LINE = 51;
    /** How often at most a commit rewrites the cursor file. */
    static final Duration CURSOR_EVERY = Duration.ofSeconds(5);
    /** A fully sent segment this big is replaced at the next append, so sent records do not hold disk space. */
    private static final long ROLL_WHEN_SENT = 64 * 1024;
    private static final int READ_ATTEMPTS = 3;
    private static final long WARN_EVERY_NANOS = Duration.ofMinutes(1).toNanos();

    private final Path dir;
    private final long maxBytes;
    private final long segmentBytes;
    private final long cursorEveryNanos;
    private final SpoolFsync fsync;
    private long cursorWrittenAt;
    private boolean cursorDirty;
    private FileChannel cursorFile;
    /** Segment base record number → segment; oldest first. */
    private final TreeMap<Long, Segment> segments = new TreeMap<>();
    /** Appends go here, to the last segment; null when the next append must start a new one. */
    private FileChannel active;
    private Position cursor;
    private long nextRecordNumber;
    private long droppedRecords;
    private long corruptRecords;
    private long unreadableRecords;
    private long appendFailures;
    private long lastAppendWarning;
    /** Appended since the last force (the interval policy's flusher looks here). */
    private boolean unsynced;
    private final AtomicLong fsyncs = new AtomicLong();
    private final AtomicLong fsyncNanos = new AtomicLong();
    private final AtomicLong fsyncFailures = new AtomicLong();
    private final Object flusherSignal = new Object();
    private volatile boolean closed;
    private Thread flusher;
    // Called after a record of the topic was appended: few, set up once at start.
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();

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
        final boolean legacy;
        long bytes;
        long records;
        int readFailures;
        /** Damage already counted (by its start), in case it could not be zero-filled. */
        final Set<Long> damage = new HashSet<>();

        Segment(long base, Path path, boolean legacy) {
            this.base = base;
            this.path = path;
            this.legacy = legacy;
        }
    }

    private DiskSpool(Path dir, long maxBytes, long segmentBytes, Duration cursorEvery, SpoolFsync fsync) {
        this.dir = dir;
        this.maxBytes = maxBytes;
        this.segmentBytes = segmentBytes;
        this.cursorEveryNanos = cursorEvery.toNanos();
        this.cursorWrittenAt = System.nanoTime() - cursorEveryNanos;
        this.fsync = fsync;
    }

    /**
     * Opens (or creates) the spool in {@code dir}, forcing every second. Segments are a quarter of the limit, at
     * most 4 MiB, so that dropping the oldest frees a bounded share of the spool.
     */
    public static DiskSpool open(Path dir, long maxBytes) {
        return open(dir, maxBytes, SpoolFsync.DEFAULT);
    }

    public static DiskSpool open(Path dir, long maxBytes, SpoolFsync fsync) {
        return open(dir, maxBytes, CURSOR_EVERY, fsync);
    }

    static DiskSpool open(Path dir, long maxBytes, Duration cursorEvery) {
        return open(dir, maxBytes, cursorEvery, SpoolFsync.DEFAULT);
    }

    static DiskSpool open(Path dir, long maxBytes, Duration cursorEvery, SpoolFsync fsync) {
        if (maxBytes < 64 * 1024) {
            throw new IllegalArgumentException("spool limit must be at least 64 KiB, was " + maxBytes);
        }
        DiskSpool spool = new DiskSpool(dir, maxBytes, Math.min(4L * 1024 * 1024, maxBytes / 4), cursorEvery, fsync);
        try {
            Files.createDirectories(dir);
            spool.load();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open spool in " + dir, e);
        }
        if (fsync.mode() == SpoolFsync.Mode.INTERVAL) {
            spool.startFlusher();
        }
        return spool;
    }

    /**
     * Appends {@code record}; once this returns it is in the spool (and forced to disk under
     * {@link SpoolFsync.Mode#ALWAYS}).
     *
     * @throws SpoolAppendException if the disk did not take it; nothing of it is left behind
     */
    public void append(SpoolRecord record) {
        byte[] payload = record.toBytes();
        if (payload.length > SegmentReader.MAX_PAYLOAD) {
            throw new IllegalArgumentException("record of " + payload.length + " bytes is larger than the spool takes");
        }
        synchronized (this) {
            ByteBuffer frame = SegmentReader.frame(payload);
            Segment last = null;
            try {
                last = segments.isEmpty() ? null : segments.lastEntry().getValue();
                if (active == null || last == null || last.legacy
                        || last.records > 0 && last.bytes + frame.remaining() > segmentBytes
                        || last.bytes >= Math.min(ROLL_WHEN_SENT, segmentBytes) && sentUpTo(last)) {
                    last = roll(last);
                }
                makeRoomFor(frame.remaining());
                while (frame.hasRemaining()) {
                    active.write(frame);
                }
            } catch (IOException e) {
                throw appendFailed(last, e);
            }
            last.bytes += frame.limit();
            last.records++;
            nextRecordNumber++;
            if (fsync.mode() == SpoolFsync.Mode.ALWAYS) {
                force(active);
            } else {
                unsynced = true;
            }
        }
        for (Listener listener : listeners) {
            if (listener.topic().equals(record.topic())) {
                listener.action().run();
            }
        }
    }

    /** Cuts what a failed write left back to the last good frame, counts the failure and throws. */
    private SpoolAppendException appendFailed(Segment last, IOException e) {
        appendFailures++;
        if (active != null && last != null && segments.lastEntry().getValue() == last) {
            try {
                active.truncate(last.bytes);
            } catch (IOException truncate) {
                // Cannot cut it: the segment is left as it is (its known end excludes the torn bytes, and the scan
                // at the next start cuts them) and the next append starts a new one.
                LOG.warn("cannot cut a failed append off spool segment {}: {}", last.path.getFileName(),
                        truncate.toString());
                closeActive();
            }
        }
        long now = System.nanoTime();
        if (appendFailures == 1 || now - lastAppendWarning >= WARN_EVERY_NANOS) {
            lastAppendWarning = now;
            LOG.warn("the spool in {} did not take a record ({}); {} refused so far, the records before it are"
                    + " still sent", dir, e.toString(), appendFailures);
        }
        return new SpoolAppendException("cannot append to the spool in " + dir + ": " + e.getMessage()
                + " (record not spooled, counted in tunnelvision_spool_append_failures_total)", e);
    }

    /**
     * Runs {@code action} after each record of {@code topic} is appended, on the appending thread and after the
     * spool is released: it must be short.
     */
    public void onAppend(String topic, Runnable action) {
        listeners.add(new Listener(topic, action));
    }

    /**
     * Up to {@code max} records from the cursor on, oldest first; the spool is unchanged until {@link #commit}.
     * Damaged records are skipped and counted; a segment that cannot be read is tried again at the next peek and
     * given up (its records counted as unreadable) at the third failure in a row, or at once if it is gone.
     *
     * @throws UncheckedIOException if a segment could not be read this time and nothing before it was
     */
    public synchronized List<Entry> peek(int max) {
        List<Entry> out = new ArrayList<>();
        Position at = cursor;
        while (out.size() < max) {
            Segment segment = segments.get(at.segment());
            if (segment == null) {
                Long next = segments.higherKey(at.segment());
                if (next == null) {
                    break;
                }
                at = new Position(next, 0);
                continue;
            }
            if (at.offset() >= segment.bytes) {
                Long next = segments.higherKey(at.segment());
                if (next == null) {
                    break;
                }
                at = new Position(next, 0);
                continue;
            }
            try {
                at = readInto(segment, at, max, out);
                segment.readFailures = 0;
            } catch (IOException e) {
                segment.readFailures++;
                if (e instanceof NoSuchFileException || segment.readFailures >= READ_ATTEMPTS) {
                    at = giveUp(segment, at, e);
                    continue;
                }
                if (out.isEmpty()) {
                    throw new UncheckedIOException("cannot read spool segment " + segment.path + " (attempt "
                            + segment.readFailures + " of " + READ_ATTEMPTS + ")", e);
                }
                break;
            }
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
        boolean deleted = deleteSegmentsBefore(cursor.segment());
        if (deleted || System.nanoTime() - cursorWrittenAt >= cursorEveryNanos) {
            writeCursorQuietly();
        } else {
            cursorDirty = true;
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

    /** Unsent records dropped because the spool reached its size limit. */
    public synchronized long droppedRecords() {
        return droppedRecords;
    }

    /** Unsent records lost to damage: a torn write or a flipped bit, found at open or at a read. */
    public synchronized long corruptRecords() {
        return corruptRecords;
    }

    /** Unsent records of segments that vanished or could not be read. */
    public synchronized long unreadableRecords() {
        return unreadableRecords;
    }

    /** Records the disk did not take (each thrown to its caller as a {@link SpoolAppendException}). */
    public synchronized long appendFailures() {
        return appendFailures;
    }

    public long fsyncs() {
        return fsyncs.get();
    }

    public long fsyncNanos() {
        return fsyncNanos.get();
    }

    public long fsyncFailures() {
        return fsyncFailures.get();
    }

    public SpoolFsync fsync() {
        return fsync;
    }

    public Path directory() {
        return dir;
    }

    @Override
    public void close() {
        closed = true;
        synchronized (flusherSignal) {
            flusherSignal.notifyAll();
        }
        Thread t = flusher;
        if (t != null) {
            ThreadStop.await(t);
        }
        synchronized (this) {
            if (cursorDirty) {
                writeCursorQuietly();
            }
            if (active != null && fsync.mode() != SpoolFsync.Mode.NEVER && unsynced) {
                force(active);
            }
            closeActive();
            if (cursorFile != null) {
                try {
                    cursorFile.close();
                } catch (IOException e) {
                    LOG.debug("closing the spool cursor: {}", e.toString());
                }
                cursorFile = null;
            }
        }
    }

    /** Whether the cursor is at the end of {@code segment}: all of it was delivered. */
    private boolean sentUpTo(Segment segment) {
        return cursor.segment() == segment.base && cursor.offset() >= segment.bytes;
    }

    private Segment roll(Segment last) throws IOException {
        boolean allSent = last != null && sentUpTo(last);
        Path path = dir.resolve(String.format("%020d%s", nextRecordNumber, SUFFIX));
        FileChannel created = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND);
        if (active != null && fsync.mode() != SpoolFsync.Mode.NEVER && unsynced) {
            force(active);
        }
        closeActive();
        active = created;
        unsynced = false;
        if (fsync.mode() != SpoolFsync.Mode.NEVER) {
            forceDirectory();
        }
        Segment segment = new Segment(nextRecordNumber, path, false);
        segments.put(segment.base, segment);
        if (allSent || segments.size() == 1) {
            // nothing unsent before it: the cursor moves on and the sent segments go now, not at the next commit
            cursor = new Position(segment.base, 0);
            if (deleteSegmentsBefore(segment.base)) {
                writeCursorQuietly();
            }
        }
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
                writeCursorQuietly();
            }
            LOG.warn("spool over {} bytes: dropped {} unsent records (oldest segment), {} dropped so far",
                    maxBytes, lost, droppedRecords);
        }
    }

    /** Reads from {@code from} until {@code out} holds {@code max} entries or the segment ends. */
    private Position readInto(Segment segment, Position from, int max, List<Entry> out) throws IOException {
        try (FileChannel ch = FileChannel.open(segment.path, StandardOpenOption.READ)) {
            SegmentReader reader = new SegmentReader(ch, segment.legacy, segment.bytes);
            long offset = from.offset();
            while (out.size() < max) {
                Item item = reader.next(offset);
                if (item == null) {
                    offset = segment.bytes;
                    break;
                }
                if (item instanceof Frame frame) {
                    SpoolRecord record = decode(frame.payload());
                    if (record != null) {
                        out.add(new Entry(record, new Position(segment.base, frame.end())));
                    } else {
                        damaged(segment, new Damage(frame.start(), frame.end()));
                    }
                } else {
                    damaged(segment, (Damage) item);
                }
                offset = item.end();
            }
            return new Position(segment.base, offset);
        }
    }

    private static SpoolRecord decode(byte[] payload) {
        try {
            return SpoolRecord.fromBytes(payload);
        } catch (RuntimeException e) {
            return null; // a frame that checks out but holds no record: not ours, or a bug; skipped as damage
        }
    }

    /** Damage met by a read (a bit that flipped since the scan): counted once, zero-filled so it is skipped. */
    private void damaged(Segment segment, Damage damage) {
        if (segment.damage.add(damage.start())) {
            corruptRecords++;
            segment.records = Math.max(0, segment.records - 1);
            LOG.warn("spool segment {}: skipped {} damaged bytes at offset {} (one record lost), {} so far",
                    segment.path.getFileName(), damage.end() - damage.start(), damage.start(), corruptRecords);
            if (!segment.legacy) {
                try (FileChannel ch = FileChannel.open(segment.path, StandardOpenOption.WRITE)) {
                    zeroFill(ch, damage);
                } catch (IOException e) {
                    LOG.warn("cannot zero-fill the damage in spool segment {}: {}", segment.path.getFileName(),
                            e.toString());
                }
            }
        }
    }

    /** A segment that cannot be read: its unsent records are counted as lost and the cursor moves past it. */
    private Position giveUp(Segment segment, Position at, IOException e) {
        long lost = segment.base != cursor.segment() || cursor.offset() == 0 ? segment.records
                : countFrom(segment, cursor.offset());
        if (lost == 0 && segment.base == cursor.segment() && cursor.offset() < segment.bytes) {
            lost = segment.records; // cannot count what is left of it: at most all of it
        }
        unreadableRecords += lost;
        LOG.error("spool segment {} cannot be read ({}); its {} unsent records are lost, {} so far",
                segment.path, e.toString(), lost, unreadableRecords);
        segments.remove(segment.base);
        try {
            Files.deleteIfExists(segment.path);
        } catch (IOException delete) {
            LOG.debug("cannot delete spool segment {}: {}", segment.path, delete.toString());
        }
        if (segments.isEmpty() || segments.lastKey() < segment.base) {
            closeActive(); // it was the one being written: the next append starts a new one
        }
        Long next = segments.higherKey(segment.base);
        Position after = new Position(next == null ? nextRecordNumber : next, 0);
        if (cursor.segment() <= segment.base) {
            cursor = after;
            writeCursorQuietly();
        }
        return after;
    }

    private void load() throws IOException {
        Map<Long, Path> files = new TreeMap<>();
        try (Stream<Path> list = Files.list(dir)) {
            for (Path p : list.toList()) {
                String name = p.getFileName().toString();
                String suffix = name.endsWith(SUFFIX) ? SUFFIX : name.endsWith(LEGACY_SUFFIX) ? LEGACY_SUFFIX : null;
                if (suffix != null) {
                    files.put(Long.parseLong(name.substring(0, name.length() - suffix.length())), p);
                }
            }
        }
        Map<Segment, List<Damage>> found = new LinkedHashMap<>();
        for (Map.Entry<Long, Path> file : files.entrySet()) {
            Segment segment = new Segment(file.getKey(), file.getValue(),
                    file.getValue().getFileName().toString().endsWith(LEGACY_SUFFIX));
            found.put(segment, scan(segment));
            segments.put(segment.base, segment);
            nextRecordNumber = segment.base + segment.records;
        }
        Files.deleteIfExists(dir.resolve(CURSOR + ".tmp")); // left by the rename-based cursor of earlier versions
        cursor = readCursor();
        // damage before the cursor was in records already delivered: nothing of value lost
        found.forEach((segment, damage) -> damage.stream()
                .filter(d -> segment.base > cursor.segment()
                        || segment.base == cursor.segment() && d.start() >= cursor.offset())
                .forEach(d -> corruptRecords++));
        if (!segments.isEmpty()) {
            Segment last = segments.lastEntry().getValue();
            if (!last.legacy) {
                active = FileChannel.open(last.path, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
            }
            LOG.info("spool in {}: {} segments, {} unsent records{}", dir, segments.size(), pendingRecords(),
                    corruptRecords > 0 ? ", " + corruptRecords + " damaged records skipped" : "");
        }
    }

    /**
     * Counts the good records of a segment, zero-fills damage between good frames and cuts a damaged tail (all of
     * a legacy segment after its first damage).
     *
     * @return the damage found, one entry per lost record
     */
    private List<Damage> scan(Segment segment) throws IOException {
        List<Damage> damage = new ArrayList<>();
        try (FileChannel ch = FileChannel.open(segment.path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long size = ch.size();
            SegmentReader reader = new SegmentReader(ch, segment.legacy, size);
            long offset = 0;
            long end = size;
            Item item;
            while ((item = reader.next(offset)) != null) {
                if (item instanceof Frame) {
                    segment.records++;
                } else {
                    Damage d = (Damage) item;
                    damage.add(d);
                    if (segment.legacy || d.end() >= size) {
                        end = d.start();
                        break;
                    }
                    zeroFill(ch, d);
                    segment.damage.add(d.start());
                }
                offset = item.end();
            }
            if (end < size) {
                LOG.warn("spool segment {}: cut {} bytes of a torn or damaged record at offset {}",
                        segment.path.getFileName(), size - end, end);
                ch.truncate(end);
            }
            for (Damage d : damage) {
                if (d.end() < size && !segment.legacy) {
                    LOG.warn("spool segment {}: skipped {} damaged bytes at offset {} (one record lost)",
                            segment.path.getFileName(), d.end() - d.start(), d.start());
                }
            }
            segment.bytes = end;
        }
        return damage;
    }

    private static void zeroFill(FileChannel ch, Damage damage) throws IOException {
        ByteBuffer zeros = ByteBuffer.allocate((int) Math.min(64 * 1024, damage.end() - damage.start()));
        long at = damage.start();
        while (at < damage.end()) {
            zeros.clear().limit((int) Math.min(zeros.capacity(), damage.end() - at));
            at += ch.write(zeros, at);
        }
    }

    /** Good records of {@code segment} from {@code offset} on; 0 if the segment cannot be read. */
    private long countFrom(Segment segment, long offset) {
        if (offset == 0) {
            return segment.records;
        }
        try (FileChannel ch = FileChannel.open(segment.path, StandardOpenOption.READ)) {
            SegmentReader reader = new SegmentReader(ch, segment.legacy, segment.bytes);
            long count = 0;
            Item item;
            long at = offset;
            while ((item = reader.next(at)) != null) {
                if (item instanceof Frame) {
                    count++;
                }
                at = item.end();
            }
            return count;
        } catch (IOException e) {
            LOG.debug("cannot count the records of spool segment {}: {}", segment.path, e.toString());
            return 0;
        }
    }

    /** @return whether any segment was deleted (the cursor file must then be written before it points nowhere) */
    private boolean deleteSegmentsBefore(long base) {
        boolean deleted = false;
        while (!segments.isEmpty() && segments.firstKey() < base) {
            Segment gone = segments.pollFirstEntry().getValue();
            try {
                Files.deleteIfExists(gone.path);
            } catch (IOException e) {
                LOG.warn("cannot delete sent spool segment {}: {}", gone.path, e.toString());
            }
            deleted = true;
        }
        return deleted;
    }

    private Position readCursor() throws IOException {
        Path file = dir.resolve(CURSOR);
        Position start = new Position(segments.isEmpty() ? nextRecordNumber : segments.firstKey(), 0);
        if (!Files.exists(file) || Files.size(file) > 4 * CURSOR_LINE) {
            return start;
        }
        String text = Files.readString(file, StandardCharsets.US_ASCII);
        String[] parts = text.trim().split(" ");
        try {
            if (parts.length == 3) {
                int check = Integer.parseUnsignedInt(parts[2], 16);
                if (check != crc(text.substring(0, text.lastIndexOf(' ') + 1))) {
                    throw new IllegalArgumentException("checksum does not match");
                }
            } else if (parts.length != 2) { // two: the format of earlier versions
                throw new IllegalArgumentException(parts.length + " fields");
            }
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

    private void writeCursorQuietly() {
        try {
            writeCursor();
        } catch (IOException e) {
            cursorDirty = true; // written at the next commit; a crash before then only sends records again
            LOG.warn("cannot write the spool cursor in {}: {}", dir, e.toString());
        }
    }

    /** Rewrites the cursor file in place: no new file, so it needs no free space once it exists. */
    private void writeCursor() throws IOException {
        if (cursorFile == null) {
            cursorFile = FileChannel.open(dir.resolve(CURSOR), StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
        }
        String fields = String.format("%020d %020d ", cursor.segment(), cursor.offset());
        ByteBuffer line = ByteBuffer.wrap(String.format("%s%08x\n", fields, crc(fields))
                .getBytes(StandardCharsets.US_ASCII));
        long at = 0;
        while (line.hasRemaining()) {
            at += cursorFile.write(line, at);
        }
        if (cursorFile.size() > CURSOR_LINE) {
            cursorFile.truncate(CURSOR_LINE);
        }
        cursorWrittenAt = System.nanoTime();
        cursorDirty = false;
    }

    private static int crc(String text) {
        CRC32C crc = new CRC32C();
        crc.update(text.getBytes(StandardCharsets.US_ASCII));
        return (int) crc.getValue();
    }

    private void closeActive() {
        if (active != null) {
            try {
                active.close();
            } catch (IOException e) {
                LOG.debug("closing a spool segment: {}", e.toString());
            }
            active = null;
        }
    }

    /** Forces {@code channel}'s data; a failure is counted and logged, the records stay appended. */
    private void force(FileChannel channel) {
        long start = System.nanoTime();
        try {
            channel.force(false);
            fsyncs.incrementAndGet();
        } catch (ClosedChannelException e) {
            // rolled meanwhile: forced when it was closed
        } catch (IOException e) {
            fsyncFailures.incrementAndGet();
            LOG.warn("cannot force the spool in {} to disk: {}", dir, e.toString());
        } finally {
            fsyncNanos.addAndGet(System.nanoTime() - start);
        }
    }

    /** A new segment's directory entry survives a power cut only once the directory itself is forced. */
    private void forceDirectory() {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException e) {
            fsyncFailures.incrementAndGet();
            LOG.warn("cannot force the spool directory {}: {}", dir, e.toString());
        }
    }

    private void startFlusher() {
        flusher = new Thread(this::flushEveryInterval, "spool-fsync");
        flusher.setDaemon(true);
        flusher.start();
    }

    /**
     * The interval policy: forces the active segment when something was appended since the last force. The force
     * runs outside the spool's lock, so appends never wait for the disk.
     */
    private void flushEveryInterval() {
        long intervalNanos = fsync.interval().toNanos();
        long next = System.nanoTime() + intervalNanos;
        while (!closed) {
            synchronized (flusherSignal) {
                long left;
                while (!closed && (left = next - System.nanoTime()) > 0) {
                    try {
                        flusherSignal.wait(Math.max(1, left / 1_000_000));
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }
            next = Math.max(next + intervalNanos, System.nanoTime());
            FileChannel channel;
            synchronized (this) {
                if (closed || !unsynced || active == null) {
                    continue;
                }
                unsynced = false;
                channel = active;
            }
            force(channel);
        }
    }
}
