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
 * {@code /proc/net/softnet_stat} from hostile bytes, through to the Avro records the collector sends: it declares
 * no exception, so every input must give a table (bad lines counted as malformed).
 */
class SoftnetParserFuzzTest {

    private static final List<Path> SEEDS = FuzzSeeds.files("layouts/softnet", "live-host/proc/net/softnet_stat",
            "live-netns/proc/net/softnet_stat", "trees/gateway-x86/proc/net/softnet_stat");

    @BeforeAll
    static void plantSeeds() {
        FuzzSeeds.plant(SoftnetParserFuzzTest.class, "parseSoftnet", SEEDS);
    }

    @FuzzTest(maxExecutions = 1_000_000)
    void parseSoftnet(byte[] file) {
        SoftnetTable table = SoftnetParser.parse(new AsciiBytes(file, file.length));
        assertTrue(table.lines() >= 0 && table.malformedLines() >= 0);
        assertEquals(table.lines(), SoftnetRecords.of(table).size());
    }

    @Test
    void everySeedParses() {
        for (Path seed : SEEDS) {
            parseSoftnet(FuzzSeeds.bytes(seed));
        }
    }
}
