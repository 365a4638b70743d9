package io.tunnelvision.agent.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.tunnelvision.schemas.avro.SoftnetCpu;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class SoftnetParserTest {

    private static SoftnetParse parse(String fixture) {
        return parseText(Fixtures.text("layouts/softnet/" + fixture));
    }

    /** The parse and the records made of it, as the collector does. */
    private static SoftnetParse parseText(String text) {
        SoftnetTable table = SoftnetParser.parse(text);
        return new SoftnetParse(SoftnetRecords.of(table), table.malformedLines());
    }

    private record SoftnetParse(List<SoftnetCpu> cpus, int malformedLines) {
    }

    @Test
    void nineColumnsGiveTheFirstThreeCountersAndNullsForTheRest() {
        SoftnetParse parse = parse("9-columns-2.6.txt");

        SoftnetCpu first = parse.cpus().get(0);
        assertEquals(0xa4a1L, first.getProcessed());
        assertEquals(0L, first.getDropped());
        assertEquals(3L, first.getTimeSqueeze());
        assertNull(first.getCpu());
        assertNull(first.getReceivedRps());
        assertNull(first.getFlowLimitCount());
        assertNull(first.getBacklogLen());
        assertEquals(2L, parse.cpus().get(1).getDropped());
    }

    @Test
    void tenthColumnIsReceivedRps() {
        SoftnetCpu second = parse("10-columns-3.2.txt").cpus().get(1);

        assertEquals(0xbL, second.getReceivedRps());
        assertNull(second.getFlowLimitCount());
    }

    @Test
    void beforeColumn13RowIsNotTheCpuIdAndCpuIsNull() {
        // Given CPU2 offline on a 4.19 kernel: three lines for CPUs 0, 1 and 3
        SoftnetParse parse = parse("11-columns-4.19-cpu2-offline.txt");

        SoftnetCpu third = parse.cpus().get(2);
        assertEquals(2, third.getRow());
        assertNull(third.getCpu());
        assertEquals(0xffffffffL, third.getProcessed());
        assertEquals(1000L, third.getDropped());
        assertEquals(5L, third.getReceivedRps());
        assertEquals(2L, third.getFlowLimitCount());
        assertNull(third.getBacklogLen());
    }

    @Test
    void fromColumn13TheCpuIdIsPrintedAndGapsShow() {
        SoftnetParse parse = parse("13-columns-5.10-cpu2-offline.txt");

        assertEquals(List.of(0, 1, 3), parse.cpus().stream().map(SoftnetCpu::getCpu).collect(Collectors.toList()));
        SoftnetCpu third = parse.cpus().get(2);
        assertEquals(2, third.getRow());
        assertEquals(0xabcdefL, third.getProcessed());
        assertEquals(0x20L, third.getTimeSqueeze());
        assertEquals(0x30L, third.getReceivedRps());
        assertEquals(0x40L, third.getFlowLimitCount());
        assertEquals(0x50L, third.getBacklogLen());
    }

    @Test
    void fifteenColumnsOfThisMachineAreRead() {
        SoftnetParse parse = parseText(Fixtures.text("live-host/proc/net/softnet_stat"));

        assertEquals(2, parse.cpus().size());
        SoftnetCpu first = parse.cpus().get(0);
        assertEquals(0x97bL, first.getProcessed());
        assertEquals(4L, first.getReceivedRps());
        assertEquals(0, first.getCpu());
        assertEquals(1, parse.cpus().get(1).getCpu());
        assertEquals(0x20b6L, parse.cpus().get(1).getProcessed());
        assertEquals(0, parse.malformedLines());
    }

    @Test
    void unknownTrailingColumnsAreIgnored() {
        SoftnetParse parse = parse("16-columns-future.txt");

        assertEquals(2, parse.cpus().size());
        assertEquals(1, parse.cpus().get(1).getCpu());
        assertEquals(0, parse.malformedLines());
    }

    @Test
    void cutShortAndNonHexLinesAreMalformedAndTheRestKept() {
        SoftnetParse parse = parse("broken.txt");

        // "0000zz00", the 12-column line among 13-column ones, the 4-column line, the lone "0000070"
        assertEquals(4, parse.malformedLines());
        assertEquals(List.of(0, 1, 3), parse.cpus().stream().map(SoftnetCpu::getRow).collect(Collectors.toList()));
        assertEquals(3, parse.cpus().get(2).getCpu());
        assertEquals(4L, parse.cpus().get(2).getTimeSqueeze());
    }

    @Test
    void emptyFileGivesNoCpus() {
        SoftnetParse parse = parseText("");

        assertEquals(0, parse.cpus().size());
        assertEquals(0, parse.malformedLines());
    }

    @Test
    void theTableHoldsEveryKeptLineAsPrimitiveColumnsWhateverTheSpacing() {
        // Given the kernel's layout, then the same numbers with two spaces, a tab, short tokens and a CRLF
        String text = "0000000a 00000001 00000002 00000000 00000000 00000000 00000000 00000000 00000000"
                + " 00000003 00000004 00000005 00000000\n"
                + "  b  1\t2 0 0 0 0 0 0 3 4 5 1\r\n"
                + "\n"
                + "0000000c 00000001\n";

        SoftnetTable table = SoftnetParser.parse(text);

        assertEquals(2, table.lines());
        assertEquals(1, table.malformedLines(), "the two-column line");
        for (int line = 0; line < 2; line++) {
            assertEquals(13, table.columns(line));
            assertEquals(line, table.row(line));
            assertEquals(1L, table.value(line, SoftnetTable.DROPPED));
            assertEquals(2L, table.value(line, SoftnetTable.TIME_SQUEEZE));
            assertEquals(5L, table.value(line, SoftnetTable.BACKLOG_LEN));
            assertEquals(line, table.value(line, SoftnetTable.CPU_INDEX));
        }
        assertEquals(10L, table.value(0, SoftnetTable.PROCESSED));
        assertEquals(11L, table.value(1, SoftnetTable.PROCESSED));
        assertFalse(table.has(0, 13));
        assertThrows(IndexOutOfBoundsException.class, () -> table.value(0, 13));
        assertThrows(IndexOutOfBoundsException.class, () -> table.value(2, 0));
    }

    @Test
    void cutLinesDroppedFromTheMiddleLeaveRowsAndValuesTogether() {
        // Given a cut 10-column line between 11-column ones: the lines after it move up in the table
        String full = " 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000\n";
        String text = "00000001" + full + "00000002 00000000 00000000 00000000 00000000 00000000 00000000 00000000"
                + " 00000000 00000000\n" + "00000003" + full + "00000004" + full;

        SoftnetTable table = SoftnetParser.parse(text);

        assertEquals(3, table.lines());
        assertEquals(1, table.malformedLines());
        assertEquals(List.of(0, 2, 3), List.of(table.row(0), table.row(1), table.row(2)));
        assertEquals(List.of(1L, 3L, 4L), List.of(table.value(0, 0), table.value(1, 0), table.value(2, 0)));
        assertEquals(11, table.columns(2));
    }
}
