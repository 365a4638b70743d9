package io.tunnelvision.local.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.agent.collect.CollectorRegistry;
import io.tunnelvision.agent.collect.CollectorStats;
import io.tunnelvision.schemas.avro.InterfaceConfig;
import io.tunnelvision.schemas.avro.InterfaceConfigSample;
import io.tunnelvision.schemas.avro.InterruptSample;
import io.tunnelvision.schemas.avro.KernelSettingsSample;
import io.tunnelvision.schemas.avro.SampleHeader;
import io.tunnelvision.schemas.avro.SoftnetSample;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SimulatedGatewayTest {

    private static final Duration MINUTE = Duration.ofMinutes(1);
    private static final SampleHeader HEADER = new SampleHeader("gw", "boot", 1L, 0L, "test");

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(TunnelKind.class)
    void realCollectorsReadTheTreeWithoutMalformedLinesAndSeeTheModel(TunnelKind kind) throws Exception {
        SimulatedHost host = new SimulatedHost(new SimulatedGateway("gw-1", 6, 4, kind, 7, 0), dir);
        host.advance(MINUTE, TrafficLoad.typical());
        SimulatedGateway g = host.gateway();
        CollectorRegistry registry = CollectorRegistry.standard(host.tree().procRoot(), host.tree().sysRoot());

        InterruptSample irq = (InterruptSample) registry.find(InterruptSample.class).orElseThrow().collect(HEADER);
        SoftnetSample softnet = (SoftnetSample) registry.find(SoftnetSample.class).orElseThrow().collect(HEADER);
        KernelSettingsSample k = (KernelSettingsSample) registry.find(KernelSettingsSample.class).orElseThrow()
                .collect(HEADER);
        InterfaceConfigSample ifs = (InterfaceConfigSample) registry.find(InterfaceConfigSample.class).orElseThrow()
                .collect(HEADER);
        // every other collector reads the tree too; those that run tools (wg, ping, tc, ethtool) answer an empty
        // sample on a tree that is not /proc (the fleet gives them the model's values instead: FleetGateway)
        for (var collector : registry.collectors()) {
            collector.collect(HEADER);
        }

        for (CollectorStats stats : registry.stats()) {
            assertEquals(0, stats.malformedLines(), stats.name());
            assertTrue(stats.lastSucceeded(), stats.name());
        }
        assertEquals(6, irq.getOnlineCpus().size());
        assertEquals(5, irq.getLines().size(), "4 queues and ixgbe's 'other causes' vector, named eth0");
        assertEquals(g.irqCount(1, 1), irq.getLines().get(1).getCounts().get(1));
        assertEquals(g.netRxSoftirqs(2), irq.getNetRxSoftirqs().get(2));
        assertEquals(g.softirqTicks(3), irq.getSoftirqTicks().get(3));
        assertEquals(g.totalTicks(3), irq.getTotalTicks().get(3));
        assertEquals(g.softnetProcessed(0), softnet.getCpus().get(0).getProcessed());
        assertEquals(5, softnet.getCpus().get(5).getCpu());
        assertEquals(300L, k.getNetdevBudget());
        assertEquals(g.udpRcvbufErrors(), k.getUdpRcvbufErrors());
        InterfaceConfig tunnel = ifs.getInterfaces().stream()
                .filter(i -> i.getName().equals(kind.interfaceName())).findFirst().orElseThrow();
        assertEquals(kind.name(), tunnel.getKind().name());
        assertEquals(kind.defaultMtu(), tunnel.getMtu());
    }

    @Test
    void rpsSpreadsNetRxOverTheMasksCpus() {
        SimulatedGateway g = new SimulatedGateway("gw", 4, 4, TunnelKind.WIREGUARD, 1, 0);
        g.inject(new Fault.SingleCoreIrqStorm(0, 4));
        g.advance(MINUTE, TrafficLoad.typical());
        assertTrue(g.processed[1] == 0 && g.processed[0] > 0, "without RPS CPU 0 does all NET_RX work");

        g.apply(g.settings().withRpsEverywhere(0b1111));
        double[] before = g.processed.clone();
        g.advance(MINUTE, TrafficLoad.typical());
        for (int cpu = 1; cpu < 4; cpu++) {
            assertTrue(g.processed[cpu] - before[cpu] > 0.2 * (g.processed[0] - before[0]), "CPU " + cpu);
        }
    }

    @Test
    void aLargerBudgetCutsSqueezes() {
        SimulatedGateway small = squeezed(300);
        SimulatedGateway large = squeezed(600);
        assertTrue(sum(small.timeSqueeze) > 0);
        assertTrue(sum(large.timeSqueeze) < 0.7 * sum(small.timeSqueeze));
    }

    private static SimulatedGateway squeezed(int budget) {
        SimulatedGateway g = new SimulatedGateway("gw", 4, TunnelKind.VXLAN, 1);
        g.inject(new Fault.SoftnetSqueeze(100));
        g.apply(g.settings().withNetdevBudget(budget, 8000));
        g.advance(MINUTE, TrafficLoad.typical());
        return g;
    }

    @Test
    void aLargerBacklogCutsDrops() {
        SimulatedGateway g = new SimulatedGateway("gw", 4, TunnelKind.VXLAN, 1);
        g.inject(new Fault.BacklogDrops(300));
        g.advance(MINUTE, TrafficLoad.typical());
        double drops = sum(g.dropped);
        assertTrue(drops > 0);
        g.apply(g.settings().withNetdevMaxBacklog(8000));
        g.advance(MINUTE, TrafficLoad.typical());
        assertEquals(drops, sum(g.dropped));
    }

    @Test
    void aLargerTxqueuelenCutsTxDrops() {
        SimulatedGateway g = new SimulatedGateway("gw", 4, TunnelKind.TUN, 1);
        g.inject(new Fault.TxDrops(100));
        g.advance(MINUTE, TrafficLoad.typical());
        long drops = g.tunnel().txDropped();
        assertTrue(drops > 0);
        g.apply(g.settings().withTunnelTxQueueLen(10_000));
        g.advance(MINUTE, TrafficLoad.typical());
        assertEquals(drops, g.tunnel().txDropped());
    }

    @Test
    void aFittingMtuEndsFragmentation() {
        SimulatedGateway g = new SimulatedGateway("gw", 4, TunnelKind.WIREGUARD, 1);
        g.inject(new Fault.MtuMismatch());
        g.advance(MINUTE, TrafficLoad.typical());
        long frags = g.ipFragCreates();
        assertTrue(frags > 0 && g.ipReasmReqds() > 0);
        g.apply(g.settings().withMtus(1440, 1500));
        g.advance(MINUTE, TrafficLoad.typical());
        assertEquals(frags, g.ipFragCreates());
    }

    @Test
    void aLargerRmemMaxEndsRcvbufErrors() {
        SimulatedGateway g = new SimulatedGateway("gw", 4, TunnelKind.VXLAN, 1);
        g.inject(new Fault.BufferErrors(8));
        g.advance(MINUTE, TrafficLoad.typical());
        long errors = g.udpRcvbufErrors();
        assertTrue(errors > 0);
        g.apply(g.settings().withSocketBuffers(16 << 20, 16 << 20));
        g.advance(MINUTE, TrafficLoad.typical());
        assertEquals(errors, g.udpRcvbufErrors());
    }

    @Test
    void aHealthyGatewayHasNoTrouble() {
        SimulatedGateway g = new SimulatedGateway("gw", 8, TunnelKind.WIREGUARD, 3);
        g.advance(Duration.ofHours(1), TrafficLoad.typical());
        assertEquals(0, sum(g.timeSqueeze) + sum(g.dropped) + g.udpRcvbufErrors() + g.ipFragCreates()
                + g.tunnel().txDropped());
    }

    @Test
    void noisyHostsSqueezeAHandfulOfTimesAnHour() {
        SimulatedGateway g = new SimulatedGateway("gw", 8, TunnelKind.WIREGUARD, 3);
        g.inject(new Fault.HealthyButNoisy(5));
        for (int k = 0; k < 60; k++) {
            g.advance(MINUTE, TrafficLoad.typical());
        }
        assertTrue(sum(g.timeSqueeze) >= 1 && sum(g.timeSqueeze) <= 15, "squeezes " + sum(g.timeSqueeze));
    }

    @Test
    void interruptCountsWrapAt32Bits() {
        SimulatedGateway g = new SimulatedGateway("gw", 2, 2, TunnelKind.TUN, 1, 0xFFFF_FF00L);
        g.advance(MINUTE, TrafficLoad.typical());
        assertTrue(g.irqCount(0, 0) < 0xFFFF_FF00L);
    }

    @Test
    void aSettingWrittenIntoTheTreeIsTakenInOnTheNextAdvance() throws Exception {
        SimulatedHost host = new SimulatedHost(new SimulatedGateway("gw", 4, TunnelKind.TUN, 1), dir);
        Files.writeString(host.tree().procRoot().resolve("sys/net/core/netdev_budget"), "900\n");
        Files.writeString(host.tree().sysRoot().resolve("class/net/tun0/tx_queue_len"), "4000\n");
        Files.writeString(host.tree().sysRoot().resolve("class/net/eth0/queues/rx-0/rps_cpus"), "f\n");
        host.advance(MINUTE, TrafficLoad.typical());
        assertEquals(900, host.gateway().settings().netdevBudget());
        assertEquals(4000, host.gateway().settings().tunnelTxQueueLen());
        assertEquals(0xfL, host.gateway().settings().underlayRpsCpus().get(0));
        assertEquals("900", Files.readString(host.tree().procRoot().resolve("sys/net/core/netdev_budget")).strip());
    }

    @Test
    void theSameSeedGivesTheSameCounters() {
        SimulatedGateway a = new SimulatedGateway("gw", 4, TunnelKind.VXLAN, 42);
        SimulatedGateway b = new SimulatedGateway("gw", 4, TunnelKind.VXLAN, 42);
        for (SimulatedGateway g : new SimulatedGateway[] {a, b}) {
            g.inject(new Fault.HealthyButNoisy(50));
            g.advance(Duration.ofHours(1), TrafficLoad.typical());
        }
        assertEquals(a.softnetProcessed(0), b.softnetProcessed(0));
        assertEquals(sum(a.timeSqueeze), sum(b.timeSqueeze));
        assertEquals(a.bootId(), b.bootId());
    }

    @Test
    void aSixteenQueueStormSpreadInOneChangeSetGivesEachCpuASixteenthAndNoSqueeze() throws Exception {
        // Given a 16-queue i40e on 32 CPUs whose queue IRQs all fire on CPU 0, under traffic that squeezes it
        SimulatedHost host = new SimulatedHost(new SimulatedGateway("gw", new Hardware(32, 16, NicDriver.I40E, 2),
                TunnelKind.WIREGUARD, 1, 0), dir);
        host.inject(new Fault.SingleCoreIrqStorm(0, 4));
        host.inject(new Fault.HeavyLoad(8));
        SimulatedGateway g = host.gateway();
        host.advance(MINUTE, TrafficLoad.typical());
        double[] irqBefore = irqsPerCpu(g);
        assertEquals(1.0, irqBefore[0] / sum(irqBefore), 1e-9, "every queue IRQ on CPU 0");
        assertTrue(sum(g.timeSqueeze) > 0, "CPU 0 runs out of budget");

        // When the agent writes each queue IRQ's smp_affinity_list to its own CPU, all in one change set
        for (int q = 0; q < 16; q++) {
            Files.writeString(host.tree().procRoot().resolve("irq/" + (41 + q) + "/smp_affinity_list"), q + "\n");
        }
        double squeezes = sum(g.timeSqueeze);
        host.advance(MINUTE, TrafficLoad.typical());

        // Then each of the 16 CPUs takes a sixteenth of the device's interrupts and nothing squeezes
        double[] delta = irqsPerCpu(g);
        for (int cpu = 0; cpu < 32; cpu++) {
            delta[cpu] -= irqBefore[cpu];
        }
        for (int cpu = 0; cpu < 16; cpu++) {
            assertEquals(1.0 / 16, delta[cpu] / sum(delta), 0.01, "CPU " + cpu);
        }
        assertEquals(0, sum(Arrays.copyOfRange(delta, 16, 32)));
        assertEquals(squeezes, sum(g.timeSqueeze));
        assertEquals("15", Files.readString(host.tree().procRoot().resolve("irq/56/effective_affinity_list"))
                .strip());
    }

    @Test
    void aSpreadMlx5UnderHeavyLoadKeepsEveryCpuNearItsShareWithoutTrouble() {
        SimulatedGateway g = new SimulatedGateway("gw", new Hardware(16, 16, NicDriver.MLX5, 1),
                TunnelKind.WIREGUARD, 1, 0);
        g.inject(new Fault.HeavyLoad(8));
        g.advance(MINUTE, TrafficLoad.typical());
        double[] irqs = irqsPerCpu(g);
        for (int cpu = 0; cpu < 16; cpu++) {
            assertEquals(1.0 / 16, irqs[cpu] / sum(irqs), 0.01, "CPU " + cpu);
        }
        assertTrue(sum(irqs) / 60 / 16 > 1000, "each completion vector above 1000/s: " + sum(irqs) / 60 / 16);
        assertEquals(0, sum(g.timeSqueeze) + sum(g.dropped) + g.udpRcvbufErrors() + g.ipFragCreates()
                + g.tunnel().txDropped() + g.underlay().txDropped());
    }

    @Test
    void splitVectorsCountReceiveAndTransmitApart() {
        SimulatedGateway g = new SimulatedGateway("gw", new Hardware(4, 2, NicDriver.VIRTIO, 1),
                TunnelKind.TUN, 1, 0);
        g.advance(MINUTE, TrafficLoad.typical());
        NicLayout layout = g.layout();
        assertEquals(4, layout.queueVectors());
        double rx = sum(g.irqCounts[layout.rxVector[1]]);
        double tx = sum(g.irqCounts[layout.txVector[1]]);
        assertTrue(rx > tx && tx > 0, "rx " + rx + ", tx " + tx);
        assertEquals(sum(g.irqCounts[layout.rxVector[1]]), g.irqCounts[layout.rxVector[1]][1], "input.1 on CPU 1");
    }

    @Test
    void twoFaultsAtOnceNeedBothRemedies() {
        SimulatedGateway g = new SimulatedGateway("gw", 4, TunnelKind.TUN, 1);
        g.inject(new Fault.TxDrops(20));
        g.inject(new Fault.BufferErrors(8));
        g.advance(MINUTE, TrafficLoad.typical());
        assertTrue(g.tunnel().txDropped() > 0 && g.udpRcvbufErrors() > 0);

        g.apply(g.settings().withTunnelTxQueueLen(1000));
        long drops = g.tunnel().txDropped();
        long errors = g.udpRcvbufErrors();
        g.advance(MINUTE, TrafficLoad.typical());
        assertEquals(drops, g.tunnel().txDropped());
        assertTrue(g.udpRcvbufErrors() > errors, "the buffers still overflow");

        g.apply(g.settings().withSocketBuffers(4 << 20, 4 << 20));
        errors = g.udpRcvbufErrors();
        g.advance(MINUTE, TrafficLoad.typical());
        assertEquals(errors, g.udpRcvbufErrors());
    }

    @Test
    void wireGuardAtFifteenHundredFragmentsWithItsTrafficAndNotAtFourteenTwenty() throws Exception {
        SimulatedHost host = new SimulatedHost(new SimulatedGateway("gw", 4, TunnelKind.WIREGUARD, 1), dir);
        host.inject(new Fault.MtuMismatch());
        assertEquals(1500, host.gateway().settings().tunnelMtu());
        host.advance(MINUTE, TrafficLoad.typical());
        long quiet = fragCreates(host);
        host.advance(MINUTE, new TrafficLoad(20_000, 16_000, 0.3, 200));
        long busy = fragCreates(host) - quiet;
        assertTrue(quiet > 0 && busy > 1.8 * quiet, "fragments follow the traffic: " + quiet + ", then " + busy);

        Files.writeString(host.tree().sysRoot().resolve("class/net/wg0/mtu"), "1420\n");
        long before = fragCreates(host);
        host.advance(MINUTE, TrafficLoad.typical());
        assertEquals(before, fragCreates(host));
    }

    @Test
    void openVpnTunFragmentsAtFifteenHundredAndAtTheManualsFourteenFiftyButNotAtFourteenFortyEight() {
        // IPv4 20 + UDP 8 + DATA_V2 opcode and peer id 4 + packet id 4 + AEAD tag 16 = 52 bytes
        assertEquals(52, TunnelKind.TUN.overhead());
        for (int mtu : new int[] {1500, 1450, 1448}) {
            SimulatedGateway g = new SimulatedGateway("gw", 4, TunnelKind.TUN, 1);
            g.inject(new Fault.MtuMismatch());
            g.apply(g.settings().withMtus(mtu, 1500));
            g.advance(MINUTE, TrafficLoad.typical());
            assertEquals(mtu > 1448, g.ipFragCreates() > 0, "tun MTU " + mtu);
        }
    }

    private static long fragCreates(SimulatedHost host) throws Exception {
        List<String> ip = Files.readAllLines(host.tree().procRoot().resolve("net/snmp")).subList(0, 2);
        List<String> names = List.of(ip.get(0).split(" "));
        return Long.parseLong(ip.get(1).split(" ")[names.indexOf("FragCreates")]);
    }

    private static double[] irqsPerCpu(SimulatedGateway g) {
        double[] perCpu = new double[g.cpus()];
        for (double[] vector : g.irqCounts) {
            for (int cpu = 0; cpu < perCpu.length; cpu++) {
                perCpu[cpu] += vector[cpu];
            }
        }
        return perCpu;
    }

    private static double sum(double[] values) {
        double total = 0;
        for (double v : values) {
            total += v;
        }
        return total;
    }
}
