package io.tunnelvision.agent.publish;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.zip.CRC32C;

/**
 * Walks the frames of one spool segment and tells good records from damage, for the scan at open and for every
 * read.
 *
 * <p>A segment written since framing version 2 ({@code .spool}) holds frames
 * {@code [int MARKER][int crc32c][int length][payload]}, the checksum over the length and the payload. A frame
 * that fails (a bit flip, a torn write) is damage: the reader looks for the next marker whose frame checks out
 * and goes on from there, so a flipped bit costs exactly the record it is in. Zero bytes between frames are
 * skipped: that is how damage is repaired in place (zero-filled), without moving any later record's offset (the
 * cursor file holds offsets). A false resynchronisation needs a marker inside a payload followed by a frame whose
 * CRC-32C matches by chance.
 *
 * <p>A legacy segment ({@code .seg}, written before version 2) holds {@code [int length][int crc32c][payload]}
 * with no marker to resynchronise on: its first damage ends it, as it always did.
 */
final class SegmentReader {

    /** "TVS" and the framing version; as a legacy length it would be 1.4 GB, which no legacy frame has. */
    static final int MARKER = 0x54565302;
    static final int HEADER = 12;
    static final int LEGACY_HEADER = 8;
    static final int MAX_PAYLOAD = 16 * 1024 * 1024;
    /** One read of the segment per peek while the records fit, instead of two reads per record. */
    private static final int READ_CHUNK = 64 * 1024;

    /** What is at an offset: a record whose frame checks out, or damage up to where the next good frame starts. */
    sealed interface Item {
        long start();

        long end();
    }

    record Frame(long start, long end, byte[] payload) implements Item {
    }

    /** Bytes that are no frame; {@code end} is the next good frame, or the reader's limit if none follows. */
    record Damage(long start, long end) implements Item {
    }

    private final FileChannel channel;
    private final boolean legacy;
    private final long limit;
    private ByteBuffer chunk = ByteBuffer.allocate(0);
    private long chunkStart;

    /** Reads {@code channel} up to {@code limit} (the segment's known end, or its file size at open). */
    SegmentReader(FileChannel channel, boolean legacy, long limit) {
        this.channel = channel;
        this.legacy = legacy;
        this.limit = limit;
    }

    /** The frame or damage at or after {@code offset}, or null at the limit (zero padding included). */
    Item next(long offset) throws IOException {
        if (legacy) {
            if (offset >= limit) {
                return null;
            }
            long end = legacyFrameEnd(offset);
            return end < 0 ? new Damage(offset, limit) : new Frame(offset, end, payload(offset + LEGACY_HEADER, end));
        }
        long at = skipZeros(offset);
        if (at >= limit) {
            return null;
        }
        long end = frameEnd(at);
        if (end >= 0) {
            return new Frame(at, end, payload(at + HEADER, end));
        }
        return new Damage(at, resync(at + 1));
    }

    /** The first offset from {@code from} where a good frame starts, or the limit. */
    private long resync(long from) throws IOException {
        for (long q = from; q + HEADER <= limit; q++) {
            if (ensure(q, 4) && chunk.getInt((int) (q - chunkStart)) == MARKER && frameEnd(q) >= 0) {
                return q;
            }
        }
        return limit;
    }

    private long skipZeros(long offset) throws IOException {
        long at = offset;
        while (at < limit && ensure(at, 1) && chunk.get((int) (at - chunkStart)) == 0) {
            at++;
        }
        return at;
    }

    /** The end of the version-2 frame at {@code at} if it checks out, else -1. */
    private long frameEnd(long at) throws IOException {
        if (!ensure(at, HEADER)) {
            return -1;
        }
        int i = (int) (at - chunkStart);
        if (chunk.getInt(i) != MARKER) {
            return -1;
        }
        int crc = chunk.getInt(i + 4);
        int length = chunk.getInt(i + 8);
        if (length < 0 || length > MAX_PAYLOAD || !ensure(at, HEADER + length)) {
            return -1;
        }
        i = (int) (at - chunkStart);
        CRC32C check = new CRC32C();
        check.update(chunk.duplicate().limit(i + HEADER + length).position(i + 8));
        return (int) check.getValue() == crc ? at + HEADER + length : -1;
    }

    private long legacyFrameEnd(long at) throws IOException {
        if (!ensure(at, LEGACY_HEADER)) {
            return -1;
        }
        int i = (int) (at - chunkStart);
        int length = chunk.getInt(i);
        int crc = chunk.getInt(i + 4);
        if (length < 0 || length > MAX_PAYLOAD || !ensure(at, LEGACY_HEADER + length)) {
            return -1;
        }
        i = (int) (at - chunkStart);
        CRC32C check = new CRC32C();
        check.update(chunk.duplicate().limit(i + LEGACY_HEADER + length).position(i + LEGACY_HEADER));
        return (int) check.getValue() == crc ? at + LEGACY_HEADER + length : -1;
    }

    private byte[] payload(long from, long end) {
        byte[] out = new byte[(int) (end - from)];
        chunk.get((int) (from - chunkStart), out);
        return out;
    }

    /**
     * Makes the chunk hold {@code [offset, offset + n)}, reading up to a chunk more; false if that passes the
     * limit.
     */
    private boolean ensure(long offset, int n) throws IOException {
        if (offset + n > limit) {
            return false;
        }
        if (offset >= chunkStart && offset + n <= chunkStart + chunk.limit()) {
            return true;
        }
        int size = (int) Math.max(n, Math.min(READ_CHUNK, limit - offset));
        if (chunk.capacity() < size || chunk.capacity() > READ_CHUNK) {
            chunk = ByteBuffer.allocate(size);
        }
        chunk.clear().limit(size);
        long at = offset;
        while (chunk.hasRemaining()) {
            int read = channel.read(chunk, at);
            if (read < 0) {
                throw new IOException("spool segment ends at " + at + ", before its known end " + limit);
            }
            at += read;
        }
        chunk.flip();
        chunkStart = offset;
        return true;
    }

    /** The version-2 frame of {@code payload}, ready to append. */
    static ByteBuffer frame(byte[] payload) {
        ByteBuffer frame = ByteBuffer.allocate(HEADER + payload.length);
        frame.putInt(MARKER).putInt(0).putInt(payload.length).put(payload);
        CRC32C crc = new CRC32C();
        crc.update(frame.array(), 8, 4 + payload.length);
        frame.putInt(4, (int) crc.getValue());
        return frame.flip();
    }
}
