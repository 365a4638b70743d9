package io.tunnelvision.agent.collect;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tunnelvision.schemas.avro.IrqLine;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class InterruptsParserTest {

    private final InterruptsParser parser = new InterruptsParser();

    private static Map<String, IrqLine> byIrq(InterruptsParse parse) {
        return parse.lines().stream().collect(Collectors.toMap(IrqLine::getIrq, Function.identity()));
    }

    @Test
    void columnsAreMappedByHeaderLabelsNotPosition() throws Exception {
        // Given a host whose CPUs 4 and 6 are offline
        InterruptsParse parse = parser.parse(Fixtures.text("layouts/interrupts/x86-gaps.txt"));

        // Then the columns carry the labels' ids, and the 6th count belongs to CPU7
        assertArrayEquals(new int[] {0, 1, 2, 3, 5, 7}, parse.cpus());
        IrqLine queue = byIrq(parse).get("41");
        assertEquals(List.of(10L, 20L, 30L, 40L, 50L, 60L), queue.getCounts());
        assertEquals(List.of("i40e-ens1f0-TxRx-0"), queue.getDevices());
    }

    @Test
    void headerNeedNotStartAtCpu0() throws Exception {
        InterruptsParse parse = parser.parse(Fixtures.text("layouts/interrupts/x86-not-from-cpu0.txt"));

        assertArrayEquals(new int[] {2, 3}, parse.cpus());
        assertEquals(List.of(700L, 800L), byIrq(parse).get("30").getCounts());
        assertArrayEquals(new long[] {5, 6}, parse.otherTotals());
    }

    @Test
    void x86RowsSplitChipHwirqAndGluedTrigger() throws Exception {
        Map<String, IrqLine> lines = byIrq(parser.parse(Fixtures.text("layouts/interrupts/x86-gaps.txt")));

        IrqLine mlx = lines.get("37");
        assertEquals("IR-PCI-MSIX-0000:86:00.0", mlx.getChip());
        assertEquals("1", mlx.getHwirq());
        assertEquals("edge", mlx.getTrigger());
        assertEquals(List.of("mlx5_comp0@pci:0000:86:00.0"), mlx.getDevices());
        IrqLine pciMsi = lines.get("44");
        assertEquals("PCI-MSI", pciMsi.getChip());
        assertEquals("524288", pciMsi.getHwirq());
        assertEquals(List.of("eth0-TxRx-0"), pciMsi.getDevices());
    }

    @Test
    void defaultPatternKeepsNicQueuesAndLeavesOtherDevices() throws Exception {
        InterruptsParse parse = parser.parse(Fixtures.text("layouts/interrupts/x86-gaps.txt"));

        // mlx5 (36-38), i40e (40-41), eth0 (44-45), ena (46), virtio-net queues (47-48); not nvme, timer, acpi,
        // and not virtio4-input, which is virtio-rng's queue
        assertEquals(List.of("36", "37", "38", "40", "41", "44", "45", "46", "47", "48"),
                parse.lines().stream().map(IrqLine::getIrq).collect(Collectors.toList()));
    }

    @Test
    void rowsNotKeptAreSummedPerCpuAndNamedRowsAreLeftOut() throws Exception {
        InterruptsParse parse = parser.parse(Fixtures.text("layouts/interrupts/x86-gaps.txt"));

        // timer 44 + nvme0q0 7 + virtio4-input 4 on CPU0; LOC, RES, ... are named rows and not in the totals
        assertArrayEquals(new long[] {44 + 7 + 4, 3 + 8 + 4, 1 + 4, 31 + 4, 4, 4}, parse.otherTotals());
        assertEquals(0, parse.malformedLines());
    }

    @Test
    void countsAre32BitValuesThatFitInALong() throws Exception {
        IrqLine line = byIrq(parser.parse(Fixtures.text("layouts/interrupts/x86-gaps.txt"))).get("37");

        assertEquals(4_294_967_295L, line.getCounts().get(0));
    }

    @Test
    void arm64TriggerIsASeparateWordAndIpiRowsAreNamed() throws Exception {
        InterruptsParse parse = parser.parse(Fixtures.text("layouts/interrupts/arm64.txt"));
        Map<String, IrqLine> lines = byIrq(parse);

        IrqLine its = lines.get("47");
        assertEquals("ITS-MSI", its.getChip());
        assertEquals("524288", its.getHwirq());
        assertEquals("edge", its.getTrigger());
        assertEquals(List.of("eth0-TxRx-0"), its.getDevices());
        assertEquals(List.of("47", "48", "49"), parse.lines().stream().map(IrqLine::getIrq).collect(Collectors.toList()));
        // arch_timer, ttyAMA0, virtio0, arm-pmu, gpio-keys, usb0-id; IPI0:...IPI6: and Err: are not in the sums
        assertArrayEquals(new long[] {50123 + 12 + 3, 49876, 50001, 49999}, parse.otherTotals());
        assertEquals(0, parse.malformedLines());
    }

    @Test
    void chipWhoseNameStartsWithADigitIsNotTakenForACount() throws Exception {
        InterruptsParser all = new InterruptsParser(Pattern.compile(""));
        Map<String, IrqLine> lines = byIrq(all.parse(Fixtures.text("layouts/interrupts/arm64.txt")));

        IrqLine pinctrl = lines.get("51");
        assertEquals("1c20800.pinctrl", pinctrl.getChip());
        assertEquals("11", pinctrl.getHwirq());
        assertEquals("edge", pinctrl.getTrigger());
        assertEquals(List.of("usb0-id"), pinctrl.getDevices());
        assertEquals("level", lines.get("11").getTrigger());
    }

    @Test
    void arm32FiqWithoutNumbersAndBlankLinesAreSkipped() throws Exception {
        InterruptsParse parse = parser.parse(Fixtures.text("layouts/interrupts/arm32-rpi.txt"));

        assertEquals(List.of("31", "32"), parse.lines().stream().map(IrqLine::getIrq).collect(Collectors.toList()));
        assertEquals(List.of(101010L, 0L, 0L, 0L), byIrq(parse).get("31").getCounts());
        assertArrayEquals(new long[] {5172 + 228 + 5, 4890, 5003, 4999}, parse.otherTotals());
        assertEquals(0, parse.malformedLines());
    }

    @Test
    void oldStyleChipAndFlowTokenIsSplit() throws Exception {
        Map<String, IrqLine> lines = byIrq(parser.parse(Fixtures.text("layouts/interrupts/old-2.6.txt")));

        IrqLine msi = lines.get("59");
        assertEquals("IR-PCI-MSI", msi.getChip());
        assertNull(msi.getHwirq());
        assertEquals("edge", msi.getTrigger());
        assertEquals(List.of("eth0-rx-1"), msi.getDevices());
        IrqLine shared = lines.get("16");
        assertEquals("IR-IO-APIC", shared.getChip());
        assertEquals("fasteoi", shared.getTrigger());
        assertEquals(List.of("ehci_hcd:usb1", "eth1"), shared.getDevices());
        assertEquals("PCI-MSI", lines.get("58").getChip());
    }

    @Test
    void oldStyleUnknownFlowStaysPartOfTheChip() throws Exception {
        InterruptsParser all = new InterruptsParser(Pattern.compile(""));
        Map<String, IrqLine> lines = byIrq(all.parse(Fixtures.text("layouts/interrupts/old-2.6.txt")));

        IrqLine xtPic = lines.get("17");
        assertEquals("XT-PIC-XT-PIC", xtPic.getChip());
        assertNull(xtPic.getTrigger());
        assertEquals(List.of("uhci_hcd:usb2"), xtPic.getDevices());
        assertEquals("level", lines.get("9").getTrigger());
        assertEquals(List.of("acpi"), lines.get("9").getDevices());
    }

    @Test
    void s390NamedClassesAreSkippedAndPciRowsKept() throws Exception {
        InterruptsParse parse = parser.parse(Fixtures.text("layouts/interrupts/s390.txt"));

        assertEquals(List.of("3", "4", "5"), parse.lines().stream().map(IrqLine::getIrq).collect(Collectors.toList()));
        IrqLine comp = byIrq(parse).get("4");
        assertEquals("PCI-MSI", comp.getChip());
        assertNull(comp.getHwirq());
        assertNull(comp.getTrigger());
        assertEquals(List.of("mlx5_comp0@pci:0001:00:00.0"), comp.getDevices());
        assertArrayEquals(new long[] {0, 0}, parse.otherTotals());
        assertEquals(0, parse.malformedLines());
    }

    @Test
    void xenEventChannelsHaveNoHwirqAndTheFlowAfterADash() throws Exception {
        InterruptsParse parse = parser.parse(Fixtures.text("layouts/interrupts/xen-pv.txt"));

        IrqLine rx = byIrq(parse).get("25");
        assertEquals("xen-dyn", rx.getChip());
        assertNull(rx.getHwirq());
        assertEquals("event", rx.getTrigger());
        assertEquals(List.of("eth0-q0-rx"), rx.getDevices());
        assertEquals(List.of("24", "25"), parse.lines().stream().map(IrqLine::getIrq).collect(Collectors.toList()));
        assertArrayEquals(new long[] {12345 + 5, 6}, parse.otherTotals());
    }

    @Test
    void deviceNamesKeepSpacesColonsAndAtAndSharedLinesAreSplit() throws Exception {
        InterruptsParser all = new InterruptsParser(Pattern.compile(""));
        Map<String, IrqLine> lines = byIrq(all.parse(Fixtures.text("layouts/interrupts/odd-devices.txt")));

        assertEquals(List.of("mlx5_comp40@pci:0000:86:00.0"), lines.get("30").getDevices());
        assertEquals(List.of("nvme 0 io5"), lines.get("31").getDevices());
        assertEquals(List.of("ehci_hcd:usb3", "eth2", "snd_hda_intel:card0"), lines.get("32").getDevices());
        assertEquals(List.of("i801_smbus", "wg-gw", "ahci[0000:00:17.0]"), lines.get("33").getDevices());
        assertEquals(List.of("enp59s0f0-TxRx-9"), lines.get("39").getDevices());
        assertFalse(lines.containsKey("38"), "a row without devices matches no pattern");
    }

    @Test
    void rowsWithoutIrqDomainOrHwirqStillGiveTheTrigger() throws Exception {
        InterruptsParser all = new InterruptsParser(Pattern.compile(""));
        Map<String, IrqLine> lines = byIrq(all.parse(Fixtures.text("layouts/interrupts/odd-devices.txt")));

        IrqLine none = lines.get("36");
        assertEquals("None", none.getChip());
        assertNull(none.getHwirq());
        assertEquals("edge", none.getTrigger());
        assertEquals(List.of("tun-helper"), none.getDevices());
        IrqLine gic = lines.get("37");
        assertEquals("GICv3", gic.getChip());
        assertNull(gic.getHwirq());
        assertEquals("level", gic.getTrigger());
        assertEquals("8250", lines.get("35").getChip());
        assertEquals("20000000.gpio", lines.get("34").getChip());
        assertEquals("12", lines.get("34").getHwirq());
    }

    @Test
    void sharedLineIsKeptWhenAnyOfItsDevicesMatches() throws Exception {
        InterruptsParse parse = parser.parse(Fixtures.text("layouts/interrupts/odd-devices.txt"));

        // 30 mlx5, 32 (eth2 among others), 33 (wg-gw), 34 eth1-phy, 36 tun-helper, 37 vxlan-offload, 39 enp…,
        // 40 (ixgbe-eth5, eno1-q0)
        assertEquals(List.of("30", "32", "33", "34", "36", "37", "39", "40"),
                parse.lines().stream().map(IrqLine::getIrq).collect(Collectors.toList()));
        // nvme 0 io5 (31), ttyS0 (35), no device (38)
        assertArrayEquals(new long[] {4 + 16 + 25, 5 + 17 + 26, 6 + 18 + 27}, parse.otherTotals());
    }

    @Test
    void malformedRowsAreCountedAndTheRestIsKept() throws Exception {
        InterruptsParse parse = parser.parse(Fixtures.text("layouts/interrupts/broken.txt"));

        // 25 (two counts for three CPUs), 26 (x7z), the line without colon, 28 (-1), the empty label
        assertEquals(5, parse.malformedLines());
        assertEquals(List.of("24"), parse.lines().stream().map(IrqLine::getIrq).collect(Collectors.toList()));
        // 27 (its 4th number is read as the chip), 29 ttyS0, and 30 whose last count may be cut: undetectable
        assertArrayEquals(new long[] {100 + 9 + 11, 200 + 9 + 12, 300 + 9 + 1}, parse.otherTotals());
    }

    @Test
    void aConfiguredPatternDecidesWhichRowsAreKept() throws Exception {
        InterruptsParser nvmeOnly = new InterruptsParser(Pattern.compile("^nvme"));

        InterruptsParse parse = nvmeOnly.parse(Fixtures.text("layouts/interrupts/x86-gaps.txt"));

        assertEquals(List.of("42", "43"), parse.lines().stream().map(IrqLine::getIrq).collect(Collectors.toList()));
    }

    @Test
    void aFileWithoutCpuHeaderCannotBeUsed() {
        MalformedFileException e = assertThrows(MalformedFileException.class,
                () -> parser.parse("  24:   1   2  IO-APIC   5-edge  eth0\n"));
        assertTrue(e.getMessage().contains("CPU header"), e.getMessage());
        assertThrows(MalformedFileException.class, () -> parser.parse("\n\n"));
        assertThrows(MalformedFileException.class, () -> parser.parse(""));
    }

    @Test
    void headerOnlyGivesEmptyLinesAndZeroTotals() throws Exception {
        InterruptsParse parse = parser.parse("           CPU0       CPU1\n");

        assertEquals(List.of(), parse.lines());
        assertArrayEquals(new long[] {0, 0}, parse.otherTotals());
    }

    @Test
    void noTrailingNewlineStillParsesTheLastRow() throws Exception {
        InterruptsParse parse = parser.parse("  CPU0\n  5:  12  IO-APIC  5-edge  eth0-rx");

        assertEquals(List.of(12L), parse.lines().get(0).getCounts());
    }

    @Test
    void fileBytesAndStringsParseAlike() throws Exception {
        // The collector hands the parser raw file bytes, which take a faster path than a String
        for (String fixture : new String[] {"x86-gaps.txt", "arm64.txt", "odd-devices.txt", "broken.txt"}) {
            String text = Fixtures.text("layouts/interrupts/" + fixture);
            byte[] bytes = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);

            InterruptsParse fromString = parser.parse(text);
            InterruptsParse fromBytes = parser.parse(new AsciiBytes(bytes, bytes.length));

            assertEquals(fromString.lines(), fromBytes.lines(), fixture);
            assertArrayEquals(fromString.otherTotals(), fromBytes.otherTotals(), fixture);
            assertEquals(fromString.malformedLines(), fromBytes.malformedLines(), fixture);
        }
    }

    @Test
    void bigHostOf1152CpusParsesEveryColumn() throws Exception {
        // Given the shape of a 1152-CPU host: one NIC queue per CPU plus other devices
        int cpus = 1152;
        StringBuilder text = new StringBuilder(" ".repeat(11));
        for (int cpu = 0; cpu < cpus; cpu++) {
            text.append(String.format("CPU%-8d", cpu));
        }
        text.append('\n');
        for (int irq = 0; irq < 2 * cpus; irq++) {
            text.append(String.format("%5d: ", irq));
            for (int cpu = 0; cpu < cpus; cpu++) {
                text.append(cpu == irq % cpus ? String.format("%10d ", irq + 1) : "         0 ");
            }
            text.append(irq < cpus
                    ? String.format(" IR-PCI-MSIX-0000:86:00.0  %d-edge      mlx5_comp%d@pci:0000:86:00.0\n", irq, irq)
                    : String.format(" IR-PCI-MSIX-0000:02:00.0  %d-edge      nvme0q%d\n", irq, irq));
        }

        InterruptsParse parse = parser.parse(text);

        assertEquals(cpus, parse.cpus().length);
        assertEquals(cpus, parse.lines().size());
        assertEquals(1152L, parse.lines().get(1151).getCounts().get(1151));
        assertEquals(1153L, parse.otherTotals()[0]);
        assertEquals(2304L, parse.otherTotals()[1151]);
    }
}
