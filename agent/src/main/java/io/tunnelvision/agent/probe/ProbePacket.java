package io.tunnelvision.agent.probe;

import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * The probe datagram: a 24-byte header ({@code "TVPR"}, version, kind, two reserved bytes, probe id, the
 * sender's send time in nanoseconds) followed by zero padding up to the probe size. The reflector answers a
 * request with the same bytes and the kind turned to reply, so a reply is never bigger than its request.
 */
public final class ProbePacket {

    public static final int MAGIC = 0x54565052;
    public static final byte VERSION = 1;
    public static final byte REQUEST = 1;
    public static final byte REPLY = 2;
    public static final int HEADER_BYTES = 24;
    /** The largest UDP payload over IPv4; over IPv6 it would be 65527, the smaller bound holds for both. */
    public static final int MAX_BYTES = 65_507;

    private static final int KIND_OFFSET = 5;

    private ProbePacket() {
    }

    /** A decoded header. */
    public record Header(byte kind, long id, long sentNanos) {
    }

    /** Writes a request of {@code size} bytes into {@code buffer} (cleared first) and flips it for sending. */
    public static ByteBuffer request(ByteBuffer buffer, int size, long id, long sentNanos) {
        if (size < HEADER_BYTES || size > MAX_BYTES) {
            throw new IllegalArgumentException("probe size " + size + " is outside " + HEADER_BYTES + ".."
                    + MAX_BYTES);
        }
        if (buffer.capacity() < size) {
            throw new IllegalArgumentException("buffer of " + buffer.capacity() + " bytes cannot hold " + size);
        }
        buffer.clear();
        buffer.putInt(MAGIC).put(VERSION).put(REQUEST).putShort((short) 0).putLong(id).putLong(sentNanos);
        while (buffer.position() < size) {
            buffer.put((byte) 0);
        }
        return buffer.flip();
    }

    /**
     * The header of a received datagram (position to limit), when it is one of ours of the given kind and no
     * shorter than a header; anything else is empty. The buffer's position is left unchanged.
     */
    public static Optional<Header> parse(ByteBuffer datagram, byte expectedKind) {
        int start = datagram.position();
        if (datagram.remaining() < HEADER_BYTES || datagram.remaining() > MAX_BYTES) {
            return Optional.empty();
        }
        if (datagram.getInt(start) != MAGIC || datagram.get(start + 4) != VERSION
                || datagram.get(start + KIND_OFFSET) != expectedKind || datagram.getShort(start + 6) != 0) {
            return Optional.empty();
        }
        return Optional.of(new Header(expectedKind, datagram.getLong(start + 8), datagram.getLong(start + 16)));
    }

    /** Turns a well-formed request (as {@link #parse} accepted it) into its reply, in place. */
    public static void toReply(ByteBuffer request) {
        request.put(request.position() + KIND_OFFSET, REPLY);
    }
}
