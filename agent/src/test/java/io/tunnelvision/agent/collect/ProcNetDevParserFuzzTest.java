package io.tunnelvision.agent.collect;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.tunnelvision.agent.FuzzSeeds;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code /proc/net/dev} from hostile bytes: it declares no exception, so every input gives link counters. */
class ProcNetDevParserFuzzTest {

    private static final List<Path> SEEDS = FuzzSeeds.files("layouts/netdev", "live-host/proc/net/dev",
            "live-netns/proc/net/dev", "trees/gateway-x86/proc/net/dev");

    @BeforeAll
    static void plantSeeds() {
        FuzzSeeds.plant(ProcNetDevParserFuzzTest.class, "parseNetDev", SEEDS);
    }

    @FuzzTest(maxExecutions = 1_000_000)
    void parseNetDev(byte[] file) {
        LinkParse parsed = ProcNetDevParser.parse(new AsciiBytes(file, file.length));
        assertTrue(parsed.malformedLines() >= 0);
    }

    @Test
    void everySeedParses() {
        for (Path seed : SEEDS) {
            parseNetDev(FuzzSeeds.bytes(seed));
        }
    }
}
