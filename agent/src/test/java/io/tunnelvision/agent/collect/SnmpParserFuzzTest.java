package io.tunnelvision.agent.collect;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.tunnelvision.agent.FuzzSeeds;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code /proc/net/snmp} from hostile bytes: it declares no exception, so every input gives counters. */
class SnmpParserFuzzTest {

    private static final List<Path> SEEDS = FuzzSeeds.files("layouts/snmp", "live-host/proc/net/snmp",
            "live-netns/proc/net/snmp", "trees/gateway-x86/proc/net/snmp");

    @BeforeAll
    static void plantSeeds() {
        FuzzSeeds.plant(SnmpParserFuzzTest.class, "parseSnmp", SEEDS);
    }

    @FuzzTest(maxExecutions = 1_000_000)
    void parseSnmp(byte[] file) {
        SnmpCounters counters = SnmpParser.parse(new AsciiBytes(file, file.length));
        assertTrue(counters.malformedLines() >= 0);
    }

    @Test
    void everySeedParses() {
        for (Path seed : SEEDS) {
            parseSnmp(FuzzSeeds.bytes(seed));
        }
    }
}
