package io.tunnelvision.rules.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.schemas.avro.InterfaceConfig;
import io.tunnelvision.schemas.avro.InterfaceKind;
import io.tunnelvision.schemas.avro.TuningAction;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class TuningCatalogTest {

    @ParameterizedTest
    @EnumSource(value = TuningAction.class, names = "UNKNOWN", mode = EnumSource.Mode.EXCLUDE)
    void everyKnownActionHasItsOwnEntry(TuningAction action) {
        assertEquals(action, TuningCatalog.entry(action).action());
    }

    @Test
    void unknownHasNoEntry() {
        assertTrue(TuningCatalog.find(TuningAction.UNKNOWN).isEmpty());
        assertThrows(IllegalArgumentException.class, () -> TuningCatalog.entry(TuningAction.UNKNOWN));
    }

    @ParameterizedTest
    @EnumSource(value = TuningAction.class, names = "UNKNOWN", mode = EnumSource.Mode.EXCLUDE)
    void everyLadderLiesWithinItsDefaultBounds(TuningAction action) {
        TuningEntry entry = TuningCatalog.entry(action);

        for (long step : entry.ladder()) {
            TuningEntry.Bounds bounds = entry.bounds().orElseThrow(() -> new AssertionError(action
                    + " has a ladder but no bounds"));
            assertTrue(bounds.contains(step), action + " step " + step + " is outside " + bounds);
        }
    }

    @ParameterizedTest
    @EnumSource(value = TuningAction.class, names = "UNKNOWN", mode = EnumSource.Mode.EXCLUDE)
    void everyLadderIsStrictlyIncreasing(TuningAction action) {
        List<Long> ladder = TuningCatalog.entry(action).ladder();

        for (int i = 1; i < ladder.size(); i++) {
            assertTrue(ladder.get(i - 1) < ladder.get(i), action + " ladder " + ladder + " is not increasing");
        }
    }

    /** The agent refuses a flow table size that is not a power of two, so the planner must never step to one. */
    @ParameterizedTest
    @EnumSource(value = TuningAction.class, names = "UNKNOWN", mode = EnumSource.Mode.EXCLUDE)
    void powerOfTwoLaddersOnlyHavePowersOfTwo(TuningAction action) {
        TuningEntry entry = TuningCatalog.entry(action);

        if (entry.value() == ValueKind.POWER_OF_TWO) {
            entry.ladder().forEach(step -> assertEquals(1, Long.bitCount(step), action + " step " + step));
        }
    }

    @ParameterizedTest
    @EnumSource(value = TuningAction.class, names = "UNKNOWN", mode = EnumSource.Mode.EXCLUDE)
    void numericActionsHaveBoundsAndTheOthersAreCheckedAgainstTheHost(TuningAction action) {
        TuningEntry entry = TuningCatalog.entry(action);

        assertEquals(entry.value().isNumeric(), entry.bounds().isPresent(), action.toString());
    }

    @Test
    void rmemMaxClimbsTo64MibWithinBoundsUpTo256Mib() {
        TuningEntry rmem = TuningCatalog.entry(TuningAction.RMEM_MAX);

        assertEquals(64L << 20, rmem.ladder().get(rmem.ladder().size() - 1));
        assertEquals(new TuningEntry.Bounds(65_536, 256L << 20), rmem.bounds().orElseThrow());
    }

    @Test
    void pathsAndSysctlNamesAreFilledFromTheTarget() {
        assertEquals("/sys/class/net/tun0/tx_queue_len", TuningCatalog.entry(TuningAction.TXQUEUELEN).pathFor("tun0"));
        assertEquals("/sys/class/net/tun0/queues/rx-1/rps_cpus",
                TuningCatalog.entry(TuningAction.RPS_CPUS).pathFor("tun0/rx-1"));
        assertEquals("/proc/irq/45/smp_affinity_list", TuningCatalog.entry(TuningAction.IRQ_AFFINITY).pathFor("45"));
        assertEquals("/sys/devices/system/cpu/cpu3/cpufreq/scaling_governor",
                TuningCatalog.entry(TuningAction.CPU_GOVERNOR).pathFor("3"));
        assertEquals(Optional.of("net.core.rmem_max"), TuningCatalog.entry(TuningAction.RMEM_MAX).sysctlName("host"));
        assertEquals(Optional.of("net.ipv4.conf.eth0/100.rp_filter"),
                TuningCatalog.entry(TuningAction.RP_FILTER).sysctlName("eth0.100"));
        assertFalse(TuningCatalog.entry(TuningAction.MTU).sysctlName("tun0").isPresent());
        assertThrows(IllegalArgumentException.class, () -> TuningCatalog.entry(TuningAction.RPS_CPUS).pathFor("tun0"));
    }

    @Test
    void coalescingHasNoKernelFile() {
        assertTrue(TuningCatalog.entry(TuningAction.COALESCE_RX_USECS).path().isEmpty());
    }

    @Test
    void theCurrentValueIsReadOnlyTheWayTheCatalogSays() {
        // txqueuelen is a setting of the interface sample; asking for it as a host-wide sysctl is a programming error
        assertEquals(1000L, TuningCatalog.reading(TuningAction.TXQUEUELEN, SampleReading.Interface.class).value()
                .apply(InterfaceConfig.newBuilder().setName("tun0").setIfindex(4).setKind(InterfaceKind.TUN)
                        .setMtu(1500).setTxQueueLen(1000).setOperState("up").setRxQueues(List.of()).build()));
        assertThrows(IllegalStateException.class,
                () -> TuningCatalog.reading(TuningAction.TXQUEUELEN, SampleReading.Kernel.class));
    }

    @ParameterizedTest
    @EnumSource(value = TuningAction.class, names = "UNKNOWN", mode = EnumSource.Mode.EXCLUDE)
    void everyActionThePlannerStepsHasACurrentValueToCompareAndSet(TuningAction action) {
        TuningEntry entry = TuningCatalog.entry(action);
        if (!entry.ladder().isEmpty()) {
            assertFalse(entry.reading() instanceof SampleReading.None, action + " climbs a ladder from an unknown value");
        }
    }
}
