package io.tunnelvision.agent.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.tunnelvision.agent.FuzzSeeds;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code /proc/softirqs} from hostile bytes: a result or a {@link MalformedFileException}, nothing else. */
class SoftirqsParserFuzzTest {

    private static final List<Path> SEEDS = FuzzSeeds.files("layouts/softirqs", "live-host/proc/softirqs",
            "live-netns/proc/softirqs", "trees/gateway-x86/proc/softirqs");

    @BeforeAll
    static void plantSeeds() {
        FuzzSeeds.plant(SoftirqsParserFuzzTest.class, "parseSoftirqs", SEEDS);
    }

    @FuzzTest(maxExecutions = 1_000_000)
    void parseSoftirqs(byte[] file) {
        SoftirqsParse parsed;
        try {
            parsed = SoftirqsParser.parse(new AsciiBytes(file, file.length));
        } catch (MalformedFileException declared) {
            return;
        }
        int cpus = parsed.cpus().length;
        assertTrue(cpus > 0 && cpus <= CpuColumns.MAX_CPUS, "CPU columns: " + cpus);
        if (parsed.netRx() != null) {
            assertEquals(cpus, parsed.netRx().length);
        }
        if (parsed.netTx() != null) {
            assertEquals(cpus, parsed.netTx().length);
        }
    }

    @Test
    void everySeedParses() {
        for (Path seed : SEEDS) {
            parseSoftirqs(FuzzSeeds.bytes(seed));
        }
    }
}
