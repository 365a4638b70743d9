package io.tunnelvision.bench.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.agent.collect.CollectorRegistry;
import io.tunnelvision.agent.collect.InterruptsParse;
import io.tunnelvision.agent.collect.InterruptsParser;
import io.tunnelvision.agent.collect.RegisteredCollector;
import io.tunnelvision.agent.collect.SoftnetParser;
import io.tunnelvision.agent.collect.SoftnetRecords;
import io.tunnelvision.agent.collect.SoftnetTable;
import io.tunnelvision.schemas.avro.SampleHeader;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The benchmarks are only worth their numbers if what they parse is valid and shaped like the real thing. */
class ProcGeneratorTest {

    @Test
    void generatedInterruptsParseCleanlyWithEveryCpuAndTheNicRowsKept() throws Exception {
        InterruptsParse parse = new InterruptsParser().parse(ProcGenerator.interrupts(1152, 60, 1));
        assertEquals(1152, parse.cpus().length);
        assertEquals(0, parse.malformedLines());
        assertEquals(40, parse.lines().size(), "mlx5 and eth0 rows kept, nvme rows summed");
    }

    @Test
    void theBigInterruptsFileIsTheSizeOfA1152CpuHost() {
        int bytes = ProcGenerator.interrupts(1152, 1100, 1).length();
        assertTrue(bytes > 12_000_000 && bytes < 15_000_000, bytes + " bytes");
    }

    @Test
    void generatedSoftnetParsesCleanly() {
        SoftnetTable parse = SoftnetParser.parse(ProcGenerator.softnet(480, 1));
        assertEquals(480, parse.lines());
        assertEquals(0, parse.malformedLines());
        assertEquals(479, SoftnetRecords.of(parse).get(479).getCpu());
    }

    @Test
    void aGeneratedTreeFeedsEveryCollector(@TempDir Path dir) throws Exception {
        ProcGenerator.tree(dir, 64, 3);
        CollectorRegistry registry = CollectorRegistry.standard(dir.resolve("proc"), dir.resolve("sys"));
        SampleHeader header = new SampleHeader("gw", "b", 0L, 0L, "test");
        for (RegisteredCollector<?> collector : registry.collectors()) {
            collector.collect(header);
            assertEquals(0, collector.stats().malformedLines(), collector.name());
        }
    }
}
