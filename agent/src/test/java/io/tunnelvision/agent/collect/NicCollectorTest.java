package io.tunnelvision.agent.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.tunnelvision.schemas.avro.Nic;
import io.tunnelvision.schemas.avro.NicSample;
import io.tunnelvision.schemas.avro.SampleHeader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The NIC collector over a sysfs tree, with ethtool answering from real outputs (fixtures/ethtool). */
class NicCollectorTest {

    @TempDir
    Path sys;

    private final List<List<String>> ran = new ArrayList<>();

    private String ethtool(List<String> argv) {
        ran.add(argv);
        try {
            return switch (argv.get(1)) {
                case "-i" -> "driver: ena\nversion: 2.8\n";
                case "-g" -> EthtoolParseTest.fixture("ena-rings.txt");
                case "-l" -> EthtoolParseTest.fixture("virtio-channels.txt");
                case "-c" -> EthtoolParseTest.fixture("adaptive-off-coalesce.txt");
                case "-k" -> EthtoolParseTest.fixture("ice-features.txt");
                case "-S" -> EthtoolParseTest.fixture("ena-stats-excerpt.txt");
                default -> null;
            };
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private void iface(String name, boolean device) throws Exception {
        Path dir = Files.createDirectories(sys.resolve("class/net").resolve(name));
        if (device) {
            Files.createDirectories(dir.resolve("device"));
        }
    }

    private static SampleHeader header(long seq) {
        return new SampleHeader("h", "b", seq, seq * 1000, "t");
    }

    @Test
    void onlyNicsWithADeviceAndNamedOnesAreRead() throws Exception {
        iface("eth0", true);
        iface("wg0", false);
        iface("u0", false);
        NicCollector c = new NicCollector(sys, SettingsRefresh.everyRound(), NicCadence.EVERY_ROUND, Set.of("u0"),
                this::ethtool);
        NicSample s = c.collect(header(0));
        assertEquals(List.of("eth0", "u0"), s.getNics().stream().map(Nic::getInterface$).toList());
        Nic eth0 = s.getNics().get(0);
        assertEquals("ena", eth0.getDriver());
        assertEquals(1024, eth0.getRxRing());
        assertEquals(16384, eth0.getRxRingMax());
        assertEquals(1, eth0.getCombinedChannels());
        assertEquals(20, eth0.getRxUsecs());
        assertEquals(false, eth0.getAdaptiveRx());
        assertEquals(false, eth0.getFeatures().get("rx-udp-gro-forwarding"));
        assertEquals(183700L, eth0.getQueues().get(0).getRxPackets());
        assertEquals(0, c.unavailableRounds());
    }

    @Test
    void countersEveryNRoundsSettingsRarelyAndAtOnceAfterACommand() throws Exception {
        iface("eth0", true);
        SettingsRefresh refresh = new SettingsRefresh(10);
        NicCollector c = new NicCollector(sys, refresh, new NicCadence(3, 300), Set.of(), this::ethtool);
        assertNotNull(c.collect(header(0)), "the first round reads everything");
        assertEquals(6, ran.size());
        assertNull(c.collect(header(1)));
        assertNull(c.collect(header(2)));
        assertNotNull(c.collect(header(3)), "counters every 3 rounds");
        assertEquals(List.of("ethtool", "-S", "eth0"), ran.get(ran.size() - 1));
        assertEquals(7, ran.size(), "settings are not read again");
        refresh.requestNow();
        assertNotNull(c.collect(header(4)), "a command was answered: settings and a sample at once");
        assertEquals(13, ran.size());
    }

    @Test
    void ethtoolMissingLeavesTheNicOutAndCountsTheRound() throws Exception {
        iface("eth0", true);
        NicCollector c = new NicCollector(sys, SettingsRefresh.everyRound(), NicCadence.EVERY_ROUND, Set.of(),
                argv -> null);
        assertEquals(List.of(), c.collect(header(0)).getNics());
        assertEquals(1, c.unavailableRounds());
    }

    @Test
    void aTreeThatIsNotProcGivesEmptySamples() throws Exception {
        iface("eth0", true);
        NicCollector c = NicCollector.of(sys, sys, SettingsRefresh.everyRound(), NicCadence.EVERY_ROUND, Set.of());
        assertEquals(List.of(), c.collect(header(0)).getNics());
    }
}
