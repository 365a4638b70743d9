package io.tunnelvision.agent.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.tunnelvision.schemas.avro.SoftnetCpu;
import io.tunnelvision.schemas.avro.SoftnetSample;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SoftnetCollectorTest {

    @Test
    void capturedTreeOfThisMachineGivesItsValues() throws Exception {
        SoftnetSample sample = new SoftnetCollector(Fixtures.path("live-host/proc")).collect(Fixtures.header());

        assertEquals(2, sample.getCpus().size());
        SoftnetCpu cpu1 = sample.getCpus().get(1);
        assertEquals(1, cpu1.getRow());
        assertEquals(1, cpu1.getCpu());
        assertEquals(0x20b6L, cpu1.getProcessed());
        assertEquals(0L, cpu1.getTimeSqueeze());
        assertEquals(0L, cpu1.getBacklogLen());
    }

    @Test
    void gatewayTreeShowsCpuIdsAcrossOfflineGaps() throws Exception {
        SoftnetSample sample = new SoftnetCollector(Fixtures.path("trees/gateway-x86/proc")).collect(Fixtures.header());

        assertEquals(List.of(0, 1, 2, 3, 5, 7), sample.getCpus().stream().map(SoftnetCpu::getCpu)
                .collect(Collectors.toList()));
        SoftnetCpu cpu0 = sample.getCpus().get(0);
        assertEquals(0x1000000L, cpu0.getProcessed());
        assertEquals(0x20L, cpu0.getDropped());
        assertEquals(1000L, cpu0.getTimeSqueeze());
        assertEquals(3L, cpu0.getBacklogLen());
        assertEquals(0x11L, sample.getCpus().get(1).getReceivedRps());
    }

    @Test
    void malformedLinesAreCounted(@TempDir Path proc) throws Exception {
        Files.createDirectories(proc.resolve("net"));
        Files.copy(Fixtures.path("layouts/softnet/broken.txt"), proc.resolve("net/softnet_stat"));
        SoftnetCollector collector = new SoftnetCollector(proc);

        SoftnetSample sample = collector.collect(Fixtures.header());

        assertEquals(3, sample.getCpus().size());
        assertEquals(4, collector.malformedLines());
    }

    @Test
    void missingFileMeansTheRootIsWrong(@TempDir Path proc) {
        assertThrows(CollectException.class, () -> new SoftnetCollector(proc).collect(Fixtures.header()));
    }
}
