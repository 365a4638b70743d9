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

    private long segmentFiles() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".seg")).count();
        }
    }

    private Path lastSegment() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".seg")).sorted().reduce((a, b) -> b).orElseThrow();
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
