package io.tunnelvision.agent.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiskSpoolTest {

    @TempDir
    Path dir;

    @Test
    void appendListenersRunOnlyForTheirTopic() {
        try (DiskSpool spool = DiskSpool.open(dir, 1 << 20)) {
            java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
            spool.onAppend("results", calls::incrementAndGet);

            spool.append(record(0));
            assertEquals(0, calls.get());
            spool.append(new SpoolRecord("results", new byte[] {1}, new byte[] {2}));
            assertEquals(1, calls.get());
            spool.append(record(1));

            assertEquals(1, calls.get());
            assertEquals(3, spool.pendingRecords());
        }
    }

    @Test
    void recordsComeBackInTheOrderTheyWereWritten() {
        try (DiskSpool spool = DiskSpool.open(dir, 1 << 20)) {
            for (int i = 0; i < 100; i++) {
                spool.append(record(i));
            }
            assertEquals(List.of(0, 1, 2, 3, 4), numbers(spool.peek(5)));
            assertEquals(100, spool.pendingRecords());
        }
    }

    @Test
    void headersSurviveTheSpool() {
        SpoolRecord dead = new SpoolRecord("dlq", new byte[] {1}, new byte[] {2},
                java.util.Map.of("tv-error", "PayloadDecodeException: bad", "tv-source-offset", "42"));
        try (DiskSpool spool = DiskSpool.open(dir, 1 << 20)) {
            spool.append(record(0));
            spool.append(dead);
        }
        try (DiskSpool reopened = DiskSpool.open(dir, 1 << 20)) {
            List<DiskSpool.Entry> entries = reopened.peek(10);
            assertEquals(java.util.Map.of(), entries.get(0).record().headers());
            assertEquals(dead, entries.get(1).record());
        }
    }

    @Test
    void committedRecordsAreNotReadAgainAndSurviveARestart() {
        try (DiskSpool spool = DiskSpool.open(dir, 1 << 20)) {
            for (int i = 0; i < 10; i++) {
                spool.append(record(i));
            }
            List<DiskSpool.Entry> first = spool.peek(4);
            spool.commit(first.get(3).next());
            assertEquals(List.of(4, 5), numbers(spool.peek(2)));
        }
        try (DiskSpool reopened = DiskSpool.open(dir, 1 << 20)) {
            assertEquals(6, reopened.pendingRecords());
            assertEquals(List.of(4, 5, 6, 7, 8, 9), numbers(reopened.peek(100)));
            reopened.append(record(10));
            assertEquals(10, numbers(reopened.peek(100)).get(6));
        }
    }

    @Test
    void aCrashBetweenCursorWritesSendsTheLastCommitsAgainButLosesNothing() {
        DiskSpool crashed = DiskSpool.open(dir, 1 << 20, java.time.Duration.ofHours(1));
        for (int i = 0; i < 10; i++) {
            crashed.append(record(i));
        }
        // the first commit writes the cursor, the next ones within the interval only move it in memory
        crashed.commit(crashed.peek(3).get(2).next());
        crashed.commit(crashed.peek(4).get(3).next());
        assertEquals(List.of(7, 8), numbers(crashed.peek(2)));
        // the agent dies here: no close, so the cursor file still says 3
        try (DiskSpool reopened = DiskSpool.open(dir, 1 << 20)) {
            assertEquals(List.of(3, 4, 5, 6, 7, 8, 9), numbers(reopened.peek(100)));
        }
        crashed.close();
    }

    @Test
    void recordsLargerThanAReadChunkAndManySmallOnesComeBackWhole() {
        byte[] big = new byte[200 * 1024];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) (i * 31);
        }
        try (DiskSpool spool = DiskSpool.open(dir, 64L << 20)) {
            for (int i = 0; i < 3000; i++) {
                spool.append(record(i));
                if (i % 1000 == 500) {
                    spool.append(new SpoolRecord("big", new byte[] {(byte) i}, big));
                }
            }
            List<DiskSpool.Entry> all = spool.peek(10_000);
            assertEquals(3003, all.size());
            int small = 0;
            for (DiskSpool.Entry e : all) {
                if (e.record().topic().equals("big")) {
                    assertTrue(java.util.Arrays.equals(big, e.record().value()));
                } else {
                    assertEquals(small++, Integer.parseInt(new String(e.record().value(), StandardCharsets.UTF_8)));
                }
            }
            spool.commit(all.get(1500).next());
            assertEquals(3003 - 1501, spool.peek(10_000).size());
        }
    }

    @Test
    void readingCrossesSegmentsAndSentSegmentsAreDeleted() throws IOException {
        try (DiskSpool spool = DiskSpool.open(dir, 1024 * 1024)) {
            // 256 KiB segments, ~1 KiB records: two segments, nothing dropped
            for (int i = 0; i < 300; i++) {
                spool.append(bigRecord(i, 1000));
            }
            assertTrue(segmentFiles() >= 2, "expected several segments, got " + segmentFiles());
            List<DiskSpool.Entry> all = new ArrayList<>();
            List<DiskSpool.Entry> batch;
            while (!(batch = spool.peek(37)).isEmpty()) {
                all.addAll(batch);
                spool.commit(batch.get(batch.size() - 1).next());
            }
            List<Integer> expected = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                expected.add(i);
            }
            assertEquals(expected, numbers(all));
            assertEquals(1, segmentFiles(), "only the segment being written remains");
            assertEquals(0, spool.pendingRecords());
        }
    }

    @Test
    void whenTheLimitIsReachedTheOldestAreDroppedAndCounted() {
        try (DiskSpool spool = DiskSpool.open(dir, 128 * 1024)) {
            for (int i = 0; i < 1000; i++) {
                spool.append(bigRecord(i, 1000));
            }
            assertTrue(spool.bytes() <= 128 * 1024, "spool holds " + spool.bytes() + " bytes");
            long pending = spool.pendingRecords();
            assertEquals(1000, pending + spool.droppedRecords(), "every record is either pending or counted");
            List<Integer> left = numbers(spool.peek(10_000));
            assertEquals(pending, left.size());
            assertEquals(999, (int) left.get(left.size() - 1), "the newest are kept");
            assertEquals(1000 - pending, (long) left.get(0), "what is kept is contiguous");
        }
    }

    @Test
    void aRecordTornByACrashIsCutOffAndCounted() throws IOException {
        try (DiskSpool spool = DiskSpool.open(dir, 1 << 20)) {
            for (int i = 0; i < 5; i++) {
                spool.append(record(i));
            }
        }
        Path segment = lastSegment();
        long size = Files.size(segment);
        try (var ch = java.nio.channels.FileChannel.open(segment, StandardOpenOption.WRITE)) {
            ch.truncate(size - 3);
        }
        try (DiskSpool reopened = DiskSpool.open(dir, 1 << 20)) {
            assertEquals(1, reopened.corruptRecords());
            assertEquals(List.of(0, 1, 2, 3), numbers(reopened.peek(100)));
            reopened.append(record(5));
            assertEquals(List.of(0, 1, 2, 3, 5), numbers(reopened.peek(100)));
        }
    }

    @Test
    void aFlippedBitFailsTheChecksum() throws IOException {
        try (DiskSpool spool = DiskSpool.open(dir, 1 << 20)) {
            for (int i = 0; i < 3; i++) {
                spool.append(record(i));
            }
        }
        Path segment = lastSegment();
        byte[] bytes = Files.readAllBytes(segment);
        bytes[bytes.length - 2] ^= 0x40;
        Files.write(segment, bytes);
        try (DiskSpool reopened = DiskSpool.open(dir, 1 << 20)) {
            assertEquals(1, reopened.corruptRecords());
            assertEquals(List.of(0, 1), numbers(reopened.peek(100)));
        }
    }

    @Test
    void aFlippedBitMidSegmentLosesExactlyThatRecordAndIsCountedOnce() throws IOException {
        try (DiskSpool spool = DiskSpool.open(dir, 1 << 20)) {
            for (int i = 0; i < 100; i++) {
                spool.append(bigRecord(i, 200));
            }
        }
        Path segment = lastSegment();
        byte[] bytes = Files.readAllBytes(segment);
        List<Integer> frames = frameStarts(bytes);
        assertEquals(100, frames.size());
        bytes[frames.get(50) + 40] ^= 0x08; // in record 50's payload
        Files.write(segment, bytes);

        try (DiskSpool reopened = DiskSpool.open(dir, 1 << 20)) {
            assertEquals(1, reopened.corruptRecords());
            assertEquals(99, reopened.pendingRecords());
            List<Integer> expected = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                if (i != 50) {
                    expected.add(i);
                }
            }
            assertEquals(expected, numbers(reopened.peek(1000)));
            reopened.append(bigRecord(100, 200));
        }
        try (DiskSpool again = DiskSpool.open(dir, 1 << 20)) {
            assertEquals(0, again.corruptRecords(), "the damage was zero-filled: not counted a second time");
            assertEquals(100, again.peek(1000).size());
        }
    }

    @Test
    void aFlippedBitInALengthFieldLosesOnlyThatRecord() throws IOException {
        try (DiskSpool spool = DiskSpool.open(dir, 1 << 20)) {
            for (int i = 0; i < 20; i++) {
                spool.append(bigRecord(i, 100));
            }
        }
        Path segment = lastSegment();
        byte[] bytes = Files.readAllBytes(segment);
        bytes[frameStarts(bytes).get(7) + 9] ^= 0x10; // length of record 7 grows by 1 MiB
        Files.write(segment, bytes);

        try (DiskSpool reopened = DiskSpool.open(dir, 1 << 20)) {
            assertEquals(1, reopened.corruptRecords());
            List<Integer> left = numbers(reopened.peek(1000));
            assertEquals(19, left.size());
            assertTrue(!left.contains(7) && left.contains(6) && left.contains(8), left.toString());
        }
    }

    @Test
    void damageThatAppearsAfterOpenIsSkippedByTheReadAndCountedOnce() throws IOException {
        try (DiskSpool spool = DiskSpool.open(dir, 1 << 20)) {
            for (int i = 0; i < 10; i++) {
                spool.append(record(i));
            }
            Path segment = lastSegment();
            byte[] bytes = Files.readAllBytes(segment);
            int at = frameStarts(bytes).get(4) + 13;
            try (var ch = java.nio.channels.FileChannel.open(segment, StandardOpenOption.WRITE)) {
                ch.write(java.nio.ByteBuffer.wrap(new byte[] {(byte) (bytes[at] ^ 1)}), at);
            }

            assertEquals(List.of(0, 1, 2, 3, 5, 6, 7, 8, 9), numbers(spool.peek(100)));
            assertEquals(List.of(0, 1, 2, 3, 5, 6, 7, 8, 9), numbers(spool.peek(100)));
            assertEquals(1, spool.corruptRecords());
            assertEquals(9, spool.pendingRecords());
        }
    }

    @Test
    void damageInRecordsAlreadySentIsNotCountedAsALoss() throws IOException {
        try (DiskSpool spool = DiskSpool.open(dir, 1 << 20)) {
            for (int i = 0; i < 10; i++) {
                spool.append(record(i));
            }
            spool.commit(spool.peek(5).get(4).next());
        }
        Path segment = lastSegment();
        byte[] bytes = Files.readAllBytes(segment);
        bytes[frameStarts(bytes).get(2) + 13] ^= 1;
        Files.write(segment, bytes);
        try (DiskSpool reopened = DiskSpool.open(dir, 1 << 20)) {
            assertEquals(0, reopened.corruptRecords());
            assertEquals(List.of(5, 6, 7, 8, 9), numbers(reopened.peek(100)));
        }
    }

    @Test
    void segmentsOfTheEarlierFramingAreStillReadNeverAppendedToAndDeletedOnceSent() throws IOException {
        // Given a spool left by an agent of the earlier framing: [length][crc32c][payload], cursor "segment offset"
        java.io.ByteArrayOutputStream legacy = new java.io.ByteArrayOutputStream();
        long afterTwo = 0;
        for (int i = 0; i < 5; i++) {
            byte[] payload = record(i).toBytes();
            java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
            crc.update(payload);
            legacy.writeBytes(java.nio.ByteBuffer.allocate(8).putInt(payload.length).putInt((int) crc.getValue())
                    .array());
            legacy.writeBytes(payload);
            if (i == 1) {
                afterTwo = legacy.size();
            }
        }
        Files.write(dir.resolve(String.format("%020d.seg", 0)), legacy.toByteArray());
        Files.writeString(dir.resolve("cursor"), "0 " + afterTwo + "\n");

        try (DiskSpool spool = DiskSpool.open(dir, 1 << 20)) {
            assertEquals(3, spool.pendingRecords());
            spool.append(record(5));
            assertEquals(List.of(2, 3, 4, 5), numbers(spool.peek(100)));
            assertEquals(legacy.size(), Files.size(dir.resolve(String.format("%020d.seg", 0))),
                    "the old segment is unchanged");
            List<DiskSpool.Entry> all = spool.peek(100);
            spool.commit(all.get(all.size() - 1).next());
        }
        assertTrue(Files.notExists(dir.resolve(String.format("%020d.seg", 0))), "sent, so deleted");
        try (DiskSpool reopened = DiskSpool.open(dir, 1 << 20)) {
            assertEquals(0, reopened.pendingRecords());
            reopened.append(record(6));
            assertEquals(List.of(6), numbers(reopened.peek(100)));
        }
    }

    @Test
    void aFullySentSegmentLeavesTheDiskAtTheNextAppend() throws IOException {
        try (DiskSpool spool = DiskSpool.open(dir, 16L << 20)) {
            for (int i = 0; i < 100; i++) {
                spool.append(bigRecord(i, 1000));
            }
            List<DiskSpool.Entry> all = spool.peek(1000);
            spool.commit(all.get(all.size() - 1).next());
            assertTrue(Files.size(lastSegment()) > 64 * 1024);

            spool.append(bigRecord(100, 1000));

            assertEquals(1, segmentFiles());
            assertTrue(Files.size(lastSegment()) < 2000, "only the new record is on disk");
            assertEquals(List.of(100), numbers(spool.peek(10)));
        }
        try (DiskSpool reopened = DiskSpool.open(dir, 16L << 20)) {
            assertEquals(List.of(100), numbers(reopened.peek(10)));
        }
    }

    @Test
    void anUnreadableCursorReplaysFromTheOldestRecord() throws IOException {
        try (DiskSpool spool = DiskSpool.open(dir, 1 << 20)) {
            for (int i = 0; i < 4; i++) {
                spool.append(record(i));
            }
            spool.commit(spool.peek(2).get(1).next());
        }
        String cursor = Files.readString(dir.resolve("cursor"));
        StringBuilder flipped = new StringBuilder(cursor);
        flipped.setCharAt(45, cursor.charAt(45) == '0' ? '1' : '0'); // in the checksum
        Files.writeString(dir.resolve("cursor"), flipped);
        try (DiskSpool reopened = DiskSpool.open(dir, 1 << 20)) {
            assertEquals(List.of(0, 1, 2, 3), numbers(reopened.peek(10)), "sent again rather than lost");
        }
    }

    @Test
    void theFsyncPolicyDecidesHowOftenTheDiskIsForced() throws Exception {
        try (DiskSpool always = DiskSpool.open(dir.resolve("always"), 1 << 20, SpoolFsync.ALWAYS)) {
            for (int i = 0; i < 5; i++) {
                always.append(record(i));
            }
            assertEquals(5, always.fsyncs());
        }
        try (DiskSpool never = DiskSpool.open(dir.resolve("never"), 1 << 20, SpoolFsync.NEVER)) {
            for (int i = 0; i < 5; i++) {
                never.append(record(i));
            }
            Thread.sleep(50);
            assertEquals(0, never.fsyncs());
        }
        try (DiskSpool interval = DiskSpool.open(dir.resolve("interval"), 1 << 20,
                SpoolFsync.every(java.time.Duration.ofMillis(20)))) {
            for (int i = 0; i < 5; i++) {
                interval.append(record(i));
            }
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (interval.fsyncs() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertEquals(1, interval.fsyncs(), "one force for the five appends");
            Thread.sleep(100);
            assertEquals(1, interval.fsyncs(), "nothing appended since: no force");
        }
    }

    /** Offsets of the frames in a segment of the current framing (each starts with the marker). */
    static List<Integer> frameStarts(byte[] segment) {
        List<Integer> starts = new ArrayList<>();
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(segment);
        int at = 0;
        while (at + 12 <= segment.length) {
            assertEquals(0x54565302, b.getInt(at), "a frame at " + at);
            starts.add(at);
            at += 12 + b.getInt(at + 8);
        }
        return starts;
    }

    private long segmentFiles() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".spool")).count();
        }
    }

    private Path lastSegment() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".spool")).sorted().reduce((a, b) -> b).orElseThrow();
        }
    }

    static SpoolRecord record(int n) {
        return new SpoolRecord("t", ("k" + n).getBytes(StandardCharsets.UTF_8),
                Integer.toString(n).getBytes(StandardCharsets.UTF_8));
    }

    static SpoolRecord bigRecord(int n, int size) {
        byte[] value = new byte[size];
        byte[] digits = Integer.toString(n).getBytes(StandardCharsets.UTF_8);
        System.arraycopy(digits, 0, value, 0, digits.length);
        value[digits.length] = ';';
        return new SpoolRecord("t", new byte[] {1}, value);
    }

    static List<Integer> numbers(List<DiskSpool.Entry> entries) {
        List<Integer> out = new ArrayList<>();
        for (DiskSpool.Entry e : entries) {
            String v = new String(e.record().value(), StandardCharsets.UTF_8);
            int end = v.indexOf(';');
            out.add(Integer.parseInt(end < 0 ? v : v.substring(0, end)));
        }
        return out;
    }
}
