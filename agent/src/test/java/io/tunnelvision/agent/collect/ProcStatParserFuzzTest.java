package io.tunnelvision.agent.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.tunnelvision.agent.FuzzSeeds;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code /proc/stat} from hostile bytes: it declares no exception; every CPU id it gives is one a kernel can have,
 * since the collector sizes a table from them ({@link CpuColumns#align}).
 */
class ProcStatParserFuzzTest {

    private static final List<Path> SEEDS = FuzzSeeds.files("layouts/stat", "live-host/proc/stat",
            "live-netns/proc/stat", "trees/gateway-x86/proc/stat");

    @BeforeAll
    static void plantSeeds() {
        FuzzSeeds.plant(ProcStatParserFuzzTest.class, "parseStat", SEEDS);
    }

    @FuzzTest(maxExecutions = 1_000_000)
    void parseStat(byte[] file) {
        CpuTimes times = ProcStatParser.parse(new AsciiBytes(file, file.length));
        assertEquals(times.cpus().length, times.softirqTicks().length);
        assertEquals(times.cpus().length, times.totalTicks().length);
        for (int cpu : times.cpus()) {
            assertTrue(cpu >= 0 && cpu < CpuColumns.MAX_CPUS, "cpu" + cpu);
        }
    }

    @Test
    void everySeedParses() {
        for (Path seed : SEEDS) {
            parseStat(FuzzSeeds.bytes(seed));
        }
    }
}
