package io.tunnelvision.local.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.agent.collect.CollectorRegistry;
import io.tunnelvision.agent.collect.CollectorStats;
import io.tunnelvision.schemas.avro.InterfaceConfig;
import io.tunnelvision.schemas.avro.InterfaceConfigSample;
import io.tunnelvision.schemas.avro.SampleHeader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** What the tree shows of the NIC, its IRQs and the routes, against what real kernels print. */
class ProcTreeWriterTest {

    private static final SampleHeader HEADER = new SampleHeader("gw", "boot", 1L, 0L, "test");

    @TempDir
    Path dir;

    private SimulatedHost host(Hardware hardware, TunnelKind kind) {
        SimulatedHost host = new SimulatedHost(new SimulatedGateway("gw", hardware, kind, 1, 0), dir);
        host.advance(Duration.ofSeconds(10), TrafficLoad.typical());
        return host;
    }

    private String proc(SimulatedHost host, String relative) throws IOException {
        return Files.readString(host.tree().procRoot().resolve(relative)).strip();
    }

    private String sys(SimulatedHost host, String relative) throws IOException {
        return Files.readString(host.tree().sysRoot().resolve(relative)).strip();
    }

    @ParameterizedTest
    @EnumSource(NicDriver.class)
    void everyDriverGivesOneMsixFilePerVectorAndCollectorsReadItCleanly(NicDriver nic) throws Exception {
        Hardware hardware = new Hardware(8, 4, nic, 1);
        SimulatedHost host = host(hardware, TunnelKind.WIREGUARD);
        Path sys = host.tree().sysRoot();
        Path device = sys.resolve("class/net/eth0/device");

        assertTrue(Files.isSymbolicLink(device));
        Path function = nic == NicDriver.VIRTIO ? device.toRealPath().getParent() : device.toRealPath();
        assertEquals(sys.resolve("devices/pci0000:00/" + nic.pciAddress()).toRealPath(), function);
        List<NicDriver.Vector> vectors = hardware.vectors();
        try (Stream<Path> files = Files.list(function.resolve("msi_irqs"))) {
            assertEquals(vectors.size(), files.filter(f -> read(f).equals("msix")).count());
        }
        for (int i = 0; i < vectors.size(); i++) {
            Path irq = host.tree().procRoot().resolve("irq/" + (40 + i));
            assertTrue(Files.isDirectory(irq.resolve(vectors.get(i).name())), "the action's directory, as the "
                    + "kernel names it: " + vectors.get(i).name());
            assertTrue(Files.exists(function.resolve("msi_irqs/" + (40 + i))));
            assertTrue(Files.exists(irq.resolve("effective_affinity_list")));
        }
        assertTrue(Files.isDirectory(device.resolve("driver")), "the driver link resolves");

        CollectorRegistry registry = CollectorRegistry.standard(host.tree().procRoot(), sys);
        for (var collector : registry.collectors()) {
            collector.collect(HEADER);
        }
        InterfaceConfigSample ifs = (InterfaceConfigSample) registry.find(InterfaceConfigSample.class).orElseThrow()
                .collect(HEADER);
        for (CollectorStats stats : registry.stats()) {
            assertEquals(0, stats.malformedLines(), stats.name());
            assertTrue(stats.lastSucceeded(), stats.name());
        }
        InterfaceConfig eth0 = ifs.getInterfaces().stream().filter(i -> i.getName().equals("eth0")).findFirst()
                .orElseThrow();
        assertEquals("PHYSICAL", eth0.getKind().name(), "a device link makes it physical");
    }

    @Test
    void mlx5OnATwoSocketHostNamesItsVectorsByPciAddressAndSitsOnNodeZero() throws Exception {
        SimulatedHost host = host(new Hardware(32, 16, NicDriver.MLX5, 2), TunnelKind.WIREGUARD);
        String interrupts = proc(host, "interrupts");
        assertTrue(interrupts.contains("IR-PCI-MSIX-0000:3b:00.0 0-edge      mlx5_async0@pci:0000:3b:00.0\n"),
                interrupts);
        assertTrue(interrupts.contains("IR-PCI-MSIX-0000:3b:00.0 16-edge      mlx5_comp15@pci:0000:3b:00.0\n"));
        assertEquals("../../../devices/pci0000:00/0000:3b:00.0",
                Files.readSymbolicLink(host.tree().sysRoot().resolve("class/net/eth0/device")).toString());
        assertEquals("0", sys(host, "class/net/eth0/device/numa_node"));
        assertEquals("0-7,16-23", sys(host, "class/net/eth0/device/local_cpulist"));
        assertEquals("00ff00ff", sys(host, "class/net/eth0/device/local_cpus"));
        assertEquals("0-7,16-23", sys(host, "devices/system/node/node0/cpulist"));
        // the driver spreads its completion vectors over the local node first (cpumask_local_spread)
        assertEquals("0", proc(host, "irq/41/effective_affinity_list"));
        assertEquals("16", proc(host, "irq/49/smp_affinity_list"), "comp8: the ninth local CPU");
        assertEquals("3", proc(host, "irq/44/effective_affinity_list"));
        assertEquals("0-31", proc(host, "irq/40/smp_affinity_list"), "the async vector keeps the boot default");
    }

    @Test
    void driversWithControlVectorsAndSplitQueuesAreNamedAsTheirDriversNameThem() throws Exception {
        assertVectors(NicDriver.I40E, "i40e-0000:3b:00.0:misc", "i40e-eth0-TxRx-0", "i40e-eth0-TxRx-1");
        assertVectors(NicDriver.ICE, "ice-0000:3b:00.0:misc", "ice-eth0-TxRx-0", "ice-eth0-TxRx-1");
        assertVectors(NicDriver.IAVF, "iavf-0000:00:06.0:mbx", "iavf-eth0-TxRx-0", "iavf-eth0-TxRx-1");
        assertVectors(NicDriver.IXGBE, "eth0-TxRx-0", "eth0-TxRx-1", "eth0");
        assertVectors(NicDriver.VIRTIO, "virtio0-config", "virtio0-input.0", "virtio0-output.0", "virtio0-input.1",
                "virtio0-output.1");
        assertVectors(NicDriver.GVE, "gve-ntfy-blk0@pci:0000:00:04.0", "gve-ntfy-blk1@pci:0000:00:04.0",
                "gve-ntfy-blk2@pci:0000:00:04.0", "gve-ntfy-blk3@pci:0000:00:04.0", "gve-mgmnt@pci:0000:00:04.0");
        assertVectors(NicDriver.ENA, "ena-mgmnt@pci:0000:00:05.0", "eth0-Tx-Rx-0", "eth0-Tx-Rx-1");
    }

    private static void assertVectors(NicDriver nic, String... names) {
        assertEquals(List.of(names), nic.vectors("eth0", 2).stream().map(NicDriver.Vector::name).toList());
    }

    @Test
    void virtioNetLinksToItsVirtioDeviceWhoseParentOwnsTheVectorsAndHasNoNumaNode() throws Exception {
        SimulatedHost host = host(new Hardware(4, 2, NicDriver.VIRTIO, 1), TunnelKind.TUN);
        Path device = host.tree().sysRoot().resolve("class/net/eth0/device");
        assertEquals("../../../devices/pci0000:00/0000:00:04.0/virtio0", Files.readSymbolicLink(device).toString());
        assertFalse(Files.exists(device.resolve("msi_irqs")), "virtio0 has no vectors of its own");
        assertTrue(Files.exists(device.resolve("../msi_irqs/41")));
        assertEquals("-1", sys(host, "devices/pci0000:00/0000:00:04.0/numa_node"), "a VM without NUMA topology");
        assertEquals("0-3", sys(host, "devices/pci0000:00/0000:00:04.0/local_cpulist"));
        assertTrue(proc(host, "interrupts").contains("  PCI-MSI 65537-edge      virtio0-input.0\n"),
                "00:04.0 is devfn 0x20: hwirq 0x20 << 11 plus the vector");
        assertEquals("DRIVER=virtio_net", sys(host, "class/net/eth0/device/uevent").lines().findFirst()
                .orElseThrow());
    }

    @Test
    void affinityWritesAreTakenInTogetherPrintedCanonicallyAndRefusedWithoutAnOnlineCpu() throws Exception {
        SimulatedHost host = host(new Hardware(8, 4, NicDriver.I40E, 1), TunnelKind.WIREGUARD);
        Path irq = host.tree().procRoot().resolve("irq");
        Files.writeString(irq.resolve("41/smp_affinity_list"), "4,5,6,7\n");
        Files.writeString(irq.resolve("42/smp_affinity_list"), "2\n");
        Files.writeString(irq.resolve("43/smp_affinity_list"), "12-15\n");
        Files.writeString(irq.resolve("44/smp_affinity_list"), "lots\n");
        host.advance(Duration.ofSeconds(1), TrafficLoad.typical());

        assertEquals(List.of(0xf0L, 0x4L, 0x4L, 0x8L), host.gateway().settings().irqAffinity(),
                "queue 2 and 3 keep their CPUs: 12-15 is offline, 'lots' no list");
        assertEquals("4-7", proc(host, "irq/41/smp_affinity_list"));
        assertEquals("f0", proc(host, "irq/41/smp_affinity"));
        assertEquals("4", proc(host, "irq/41/effective_affinity_list"), "the lowest CPU of 4-7");
        assertEquals("10", proc(host, "irq/41/effective_affinity"));
        assertEquals("2", proc(host, "irq/42/effective_affinity_list"));
        assertEquals("2", proc(host, "irq/43/smp_affinity_list"), "a refused write leaves the old value");
        assertEquals("3", proc(host, "irq/44/smp_affinity_list"));
    }

    @Test
    void theRoutesGiveTheDefaultRouteViaTheUnderlayAndWireGuardHasNoSysfsLinkToIt() throws Exception {
        SimulatedHost host = host(Hardware.of(4, 4), TunnelKind.WIREGUARD);
        List<String> routes = proc(host, "net/route").lines().toList();
        assertTrue(routes.get(0).startsWith("Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU"));
        assertEquals("eth0\t00000000\t0100000A\t0003\t0\t0\t100\t00000000\t0\t0\t0", routes.get(1).strip());
        assertEquals("eth0\t0000000A\t00000000\t0001\t0\t0\t100\t00FFFFFF\t0\t0\t0", routes.get(2).strip());
        assertTrue(routes.stream().anyMatch(r -> r.startsWith("wg0\t0000640A\t00000000\t0001")), "10.100.0.0/16");
        String raw = Files.readString(host.tree().procRoot().resolve("net/route"));
        assertTrue(raw.lines().allMatch(l -> l.length() == 127), "every line padded to 127 as the kernel does");

        Path wg = host.tree().sysRoot().resolve("class/net/wg0");
        try (Stream<Path> entries = Files.list(wg)) {
            assertTrue(entries.noneMatch(e -> e.getFileName().toString().startsWith("lower_")));
        }
        assertEquals(read(wg.resolve("ifindex")), read(wg.resolve("iflink")));
        assertFalse(Files.exists(wg.resolve("device")));
        assertEquals("unknown", read(wg.resolve("operstate")));
        assertEquals("1420", read(wg.resolve("mtu")), "wg-quick's default");
    }

    @Test
    void aNewBootClearsWhatThePreviousRunLeft() throws Exception {
        new SimulatedHost(new SimulatedGateway("gw", new Hardware(8, 8, NicDriver.VIRTIO, 1), TunnelKind.TUN, 1,
                0), dir);
        Files.writeString(dir.resolve("proc/sys/net/core/netdev_budget"), "900\n");
        SimulatedHost next = new SimulatedHost(new SimulatedGateway("gw", new Hardware(8, 2, NicDriver.MLX5, 1),
                TunnelKind.TUN, 2, 0), dir);
        assertFalse(Files.exists(dir.resolve("proc/irq/45")), "virtio's vectors are gone");
        assertFalse(Files.exists(dir.resolve("sys/devices/pci0000:00/0000:00:04.0")));
        assertEquals("300", proc(next, "sys/net/core/netdev_budget"));
        assertTrue(Files.isDirectory(dir.resolve("sys/class/net/eth0/device/msi_irqs")));
    }

    private static String read(Path file) {
        try {
            return Files.readString(file).strip();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
