package io.tunnelvision.agent.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.tunnelvision.agent.FuzzSeeds;
import io.tunnelvision.schemas.avro.IrqLine;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code /proc/interrupts} from hostile bytes: the parse ends in a result or a {@link MalformedFileException}, and
 * allocates nothing sized from a number in the file (the build fuzzes with a 256 MiB heap; a header such as
 * {@code CPU100000000} once asked for 400 MB). Seeds: every interrupts fixture.
 */
class InterruptsParserFuzzTest {

    private static final List<Path> SEEDS = FuzzSeeds.files("layouts/interrupts", "live-host/proc/interrupts",
            "live-netns/proc/interrupts", "trees/gateway-x86/proc/interrupts");
    private static final InterruptsParser PARSER = new InterruptsParser();

    @BeforeAll
    static void plantSeeds() {
        FuzzSeeds.plant(InterruptsParserFuzzTest.class, "parseInterrupts", SEEDS);
    }

    @FuzzTest(maxExecutions = 1_000_000)
    void parseInterrupts(byte[] file) {
        InterruptsParse parsed;
        try {
            parsed = PARSER.parse(new AsciiBytes(file, file.length));
        } catch (MalformedFileException declared) {
            return;
        }
        int cpus = parsed.cpus().length;
        assertTrue(cpus > 0 && cpus <= CpuColumns.MAX_CPUS, "CPU columns: " + cpus);
        assertEquals(cpus, parsed.otherTotals().length);
        for (IrqLine line : parsed.lines()) {
            assertEquals(cpus, line.getCounts().size(), line.getIrq());
        }
        assertTrue(parsed.malformedLines() >= 0);
    }

    @Test
    void everySeedParses() {
        for (Path seed : SEEDS) {
            parseInterrupts(FuzzSeeds.bytes(seed));
        }
    }
}
