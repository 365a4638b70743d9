package io.tunnelvision.agent.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.schemas.avro.InterruptSample;
import io.tunnelvision.schemas.avro.SoftnetSample;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

class CollectorRegistryTest {

    private final CollectorRegistry registry = CollectorRegistry.standard(Fixtures.path("trees/gateway-x86/proc"),
            Fixtures.path("trees/gateway-x86/sys"));

    @Test
    void standardRegistryListsEverySourceOnce() {
        assertEquals(List.of("interrupts", "softnet", "link", "interface-config", "kernel-settings", "wireguard", "pmtu", "qdisc", "nic"),
                List.copyOf(registry.names()));
    }

    @Test
    void everyCollectorMakesASampleFromAFixtureTree() throws Exception {
        for (RegisteredCollector<?> c : registry.collectors()) {
            SpecificRecord sample = c.collect(Fixtures.header());

            assertTrue(c.sampleType().isInstance(sample), c.name());
        }
    }

    @Test
    void collectorsCanBeSwitchedOffByName() {
        CollectorRegistry smaller = registry.without(Set.of("softnet", "link"));

        assertEquals(List.of("interrupts", "interface-config", "kernel-settings", "wireguard", "pmtu", "qdisc", "nic"),
                List.copyOf(smaller.names()));
        assertFalse(smaller.find(SoftnetSample.class).isPresent());
        assertTrue(smaller.find(InterruptSample.class).isPresent());
    }

    @Test
    void switchingOffAnUnknownNameIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> registry.without(Set.of("sofnet")));

        assertTrue(e.getMessage().contains("sofnet") && e.getMessage().contains("softnet"), e.getMessage());
    }

    @Test
    void statsCountRunsFailuresAndMalformedLines() throws Exception {
        RegisteredCollector<SoftnetSample> failing = CollectorRegistry.register("softnet", SoftnetSample.class,
                new SoftnetCollector(Path.of("/nonexistent-proc-root")));
        RegisteredCollector<InterruptSample> working = registry.find(InterruptSample.class).orElseThrow();

        assertThrows(CollectException.class, () -> failing.collect(Fixtures.header()));
        working.collect(Fixtures.header());
        working.collect(Fixtures.header());

        CollectorStats failed = failing.stats();
        assertEquals(1, failed.runs());
        assertEquals(1, failed.failures());
        assertFalse(failed.lastSucceeded());
        CollectorStats ok = working.stats();
        assertEquals(2, ok.runs());
        assertEquals(0, ok.failures());
        assertTrue(ok.lastSucceeded());
        assertTrue(ok.totalDurationNanos() >= ok.lastDurationNanos() && ok.lastDurationNanos() > 0);
        assertEquals(0, ok.malformedLines());
    }

    @Test
    void twoCollectorsWithOneNameAreRefused() {
        RegisteredCollector<SoftnetSample> a = CollectorRegistry.register("x", SoftnetSample.class, h -> null);
        RegisteredCollector<SoftnetSample> b = CollectorRegistry.register("x", SoftnetSample.class, h -> null);

        assertThrows(IllegalArgumentException.class, () -> CollectorRegistry.of(List.of(a, b)));
    }
}
