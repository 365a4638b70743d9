package io.tunnelvision.rules.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tunnelvision.rules.detect.IrqDevices.Line;
import io.tunnelvision.rules.detect.IrqDevices.Placement;
import io.tunnelvision.rules.detect.IrqDevices.Role;
import io.tunnelvision.rules.detect.IrqDevices.Vector;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class IrqDevicesTest {

    @ParameterizedTest(name = "{0} -> {1} {2} {3}")
    @CsvSource(nullValues = "-", value = {
            "mlx5_comp0@pci:0000:3b:00.0,      0000:3b:00.0, QUEUE,   0",
            "mlx5_comp15@pci:0000:3b:00.1,     0000:3b:00.1, QUEUE,   15",
            "mlx5_async0@pci:0000:3b:00.0,     0000:3b:00.0, CONTROL, -",
            "mlx5_pages_eq@pci:0000:3b:00.0,   0000:3b:00.0, CONTROL, -",
            "i40e-enP1s15-TxRx-3,              enP1s15,      QUEUE,   3",
            "i40e-0001:00:0f.0:misc,           0001:00:0f.0, CONTROL, -",
            "ice-em3-TxRx-126,                 em3,          QUEUE,   126",
            "ice-eno12399np0-rx-2,             eno12399np0,  QUEUE,   2",
            "ice-0000:17:00.0:misc,            0000:17:00.0, CONTROL, -",
            "ice-0000:c4:00.0:ctrl-TxRx-0,     0000:c4:00.0, CONTROL, -",
            "iavf-ens1f0v0-TxRx-1,             ens1f0v0,     QUEUE,   1",
            "iavf-0000:13:07.7:mbx,            0000:13:07.7, CONTROL, -",
            "gve-ntfy-blk7@pci:0000:00:04.0,   0000:00:04.0, QUEUE,   7",
            "gve-mgmnt@pci:0000:00:04.0,       0000:00:04.0, CONTROL, -",
            "ens5-Tx-Rx-2,                     ens5,         QUEUE,   2",
            "ena-mgmnt@pci:0000:00:05.0,       0000:00:05.0, CONTROL, -",
            "enp59s0f0np0-TxRx-5,              enp59s0f0np0, QUEUE,   5",
            "virtio5-input.3,                  virtio5,      QUEUE,   3",
            "virtio5-output.3,                 virtio5,      QUEUE,   3",
            "virtio5-config,                   virtio5,      CONTROL, -",
            "virtio0-virtqueues,               virtio0,      PLAIN,   -",
            "eth2-rx-0,                        eth2,         QUEUE,   0",
            "eth2-tx-1,                        eth2,         QUEUE,   1",
            "eth0-fp-4,                        eth0,         QUEUE,   4",
            "eth3-7,                           eth3,         QUEUE,   7",
            "eth2,                             eth2,         PLAIN,   -",
            "wg0,                              wg0,          PLAIN,   -",
    })
    void namesGiveDeviceRoleAndQueue(String name, String device, Role role, String queue) {
        assertEquals(new Vector(device, role, queue), IrqDevices.classify(name));
    }

    @Test
    void theAgentsBusIdNamesTheDeviceWhateverTheNameSays() {
        Vector v = IrqDevices.classify("ice-em3-TxRx-4", new Placement("0000:17:00.0", "em3"));

        assertEquals(new Vector("0000:17:00.0", Role.QUEUE, "4"), v);
    }

    @Test
    void anInterfaceTiedToABusIdByAnotherLineJoinsThatDevice() {
        List<Line> lines = List.of(
                new Line("102", List.of("ice-0000:17:00.0:misc"), new Placement("0000:17:00.0", "em3")),
                new Line("104", List.of("ice-em3-TxRx-0"), new Placement("0000:17:00.0", "em3")),
                new Line("105", List.of("ice-em3-TxRx-1"), Placement.NONE));

        Map<String, IrqDevices.Device> devices = IrqDevices.group(lines);

        assertEquals(List.of("0000:17:00.0"), List.copyOf(devices.keySet()));
        assertEquals(List.of("104", "105"), devices.get("0000:17:00.0").queueIrqs());
        assertEquals(List.of("102"), devices.get("0000:17:00.0").control());
        assertEquals("em3", devices.get("0000:17:00.0").netdev());
    }

    @Test
    void aBareNameIsTheLinkVectorBesideNumberedQueuesAndTheQueueOfASingleVectorNic() {
        Map<String, IrqDevices.Device> devices = IrqDevices.group(List.of(
                new Line("150", List.of("eth2-rx-0"), null), new Line("151", List.of("eth2-tx-0"), null),
                new Line("152", List.of("eth2"), null), new Line("24", List.of("eth9"), null)));

        assertEquals(1, devices.get("eth2").queueCount(), "rx-0 and tx-0 are one queue");
        assertEquals(List.of("152"), devices.get("eth2").control());
        assertEquals(1, devices.get("eth9").queueCount());
    }

    @Test
    void aLineSharedByTwoDevicesIsNeitherOnesQueue() {
        Map<String, IrqDevices.Device> devices = IrqDevices.group(List.of(
                new Line("16", List.of("eth0", "ehci_hcd:usb1"), null)));

        assertEquals(0, devices.get("eth0").queueCount());
        assertEquals(List.of("16"), devices.get("eth0").control());
    }

    @Test
    void theChipsBusAddressPlacesALineTheAgentDidNotPlace() {
        InterruptsFixture ice = InterruptsFixture.read("ice.txt");

        Map<String, IrqDevices.Device> devices = IrqDevices.group(ice.lines().stream()
                .map(l -> new Line(l.getIrq(), l.getDevices(), IrqDevices.placementOf(l))).toList());

        assertEquals(List.of("0000:17:00.0"), List.copyOf(devices.keySet()));
        assertEquals(4, devices.get("0000:17:00.0").queueCount());
        assertEquals(List.of("102", "103"), devices.get("0000:17:00.0").control());
    }
}
