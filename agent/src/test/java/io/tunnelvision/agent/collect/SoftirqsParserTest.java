package io.tunnelvision.agent.collect;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class SoftirqsParserTest {

    @Test
    void netRxAndNetTxAreReadForEveryPossibleCpu() throws Exception {
        SoftirqsParse parse = SoftirqsParser.parse(Fixtures.text("layouts/softirqs/possible-8-cpus.txt"));

        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6, 7}, parse.cpus());
        assertArrayEquals(new long[] {4858, 4905, 100, 200, 0, 500, 0, 700}, parse.netRx());
        assertArrayEquals(new long[] {5, 1, 2, 3, 0, 4, 0, 6}, parse.netTx());
        assertEquals(0, parse.malformedLines());
    }

    @Test
    void realFileOfThisMachineIsRead() throws Exception {
        SoftirqsParse parse = SoftirqsParser.parse(Fixtures.text("live-host/proc/softirqs"));

        assertArrayEquals(new long[] {6319, 6231}, parse.netRx());
        assertArrayEquals(new long[] {5, 1}, parse.netTx());
    }

    @Test
    void kernelWithoutNetRowsGivesNulls() throws Exception {
        SoftirqsParse parse = SoftirqsParser.parse(Fixtures.text("layouts/softirqs/linux-2.6.30-no-netrx.txt"));

        assertNull(parse.netRx());
        assertNull(parse.netTx());
        assertEquals(0, parse.malformedLines());
    }

    @Test
    void shortOrNonNumericRowsAreMalformedAndOthersStillRead() throws Exception {
        SoftirqsParse parse = SoftirqsParser.parse(Fixtures.text("layouts/softirqs/broken.txt"));

        // TIMER without colon, NET_TX with two of three counts, NET_RX with "abc"
        assertEquals(3, parse.malformedLines());
        assertNull(parse.netTx());
        assertNull(parse.netRx());
    }

    @Test
    void missingHeaderMakesTheFileUnusable() {
        assertThrows(MalformedFileException.class, () -> SoftirqsParser.parse("      NET_RX:  1  2\n"));
        assertThrows(MalformedFileException.class, () -> SoftirqsParser.parse(""));
    }
}
