package io.tunnelvision.agent.collect;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ScanTest {

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    /** The general path alone: what {@link Scan#decimals} must give whichever way it takes. */
    private static long general(byte[] text, int from, int end) {
        int start = Scan.skipSpaces(text, from, end);
        int stop = Scan.tokenEnd(text, start, end);
        return Scan.decimal(text, start, stop);
    }

    @Test
    void fixedWidthFieldsOfEveryDigitCountReadAsTheirValue() {
        long[] values = {0, 7, 42, 999, 1_000, 65_535, 123_456, 9_999_999, 12_345_678, 100_000_000, 987_654_321,
            1_000_000_000L, 4_294_967_295L};
        for (long value : values) {
            for (String after : new String[] {" ", "\n", ""}) {
                byte[] text = bytes(String.format(" %10d%s", value, after));
                assertEquals(value, Scan.fixedWidthCount(text, 0, text.length), "'" + new String(text) + "'");
            }
        }
    }

    @Test
    void whatIsNotTheKernelsLayoutIsLeftToTheGeneralPath() {
        String[] fields = {
            "          0x",   // the token goes on after the field
            " 12345678901",   // eleven digits: wider than a 32-bit count
            "       1 2 3",   // a space among the digits
            "      12  34",
            "    12\n   34",  // a newline inside the field: the row ends there
            "\t         5 ",  // a tab where the separating space goes
            "         \t5 ",
            "          a ",   // not a digit
            "         -5 ",
            "           ",    // no digit at all
            "  1       5 ",   // digits before the padding
            " 1         5 ",
            "5          5 ",  // no separating space
            "         5",     // too short for the field
        };
        for (String field : fields) {
            byte[] text = bytes(field);
            assertEquals(Scan.NOT_A_NUMBER, Scan.fixedWidthCount(text, 0, text.length), "'" + field + "'");
        }
    }

    @Test
    void decimalsGiveWhatTheGeneralPathGivesOnAnyMixOfLayouts() {
        // Random rows mixing the kernel's fixed-width fields with narrow, wide and odd ones
        Random random = new Random(11);
        for (int trial = 0; trial < 2_000; trial++) {
            int columns = 1 + random.nextInt(12);
            StringBuilder row = new StringBuilder();
            long[] expected = new long[columns];
            for (int c = 0; c < columns; c++) {
                long value = random.nextInt(4) == 0 ? (random.nextLong() >>> 1) % 100_000_000_000L
                        : random.nextInt(3) == 0 ? random.nextInt(Integer.MAX_VALUE) : random.nextInt(50);
                expected[c] = value;
                row.append(random.nextInt(5) == 0 ? " ".repeat(1 + random.nextInt(3)) + value : String.format(" %10d", value));
            }
            row.append(random.nextBoolean() ? "  IR-PCI-MSI 524288-edge  eth0\n" : "\n");
            byte[] text = bytes(row.toString());
            long[] counts = new long[columns];

            int end = Scan.decimals(text, 0, text.length, counts);

            assertArrayEquals(expected, counts, row.toString());
            int next = 0;
            for (int c = 0; c < columns; c++) {
                int start = Scan.skipSpaces(text, next, text.length);
                next = Scan.tokenEnd(text, start, text.length);
                assertEquals(expected[c], general(text, start, next), row.toString());
            }
            assertEquals(next, end, row.toString());
        }
    }

    @Test
    void aRowCutInsideAFixedWidthFieldIsNotReadAcrossTheNewline() {
        byte[] text = bytes(" 1234567890          1\n    5:          7 ");
        long[] counts = new long[3];

        assertEquals(-1, Scan.decimals(text, 0, text.length, counts));
    }
}
