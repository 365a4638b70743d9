package io.tunnelvision.agent.collect;

import io.tunnelvision.schemas.avro.IrqLine;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses {@code /proc/interrupts}: keeps the rows of NIC queues and tunnel devices, sums the other numbered
 * rows per CPU.
 *
 * <p>The layouts this handles, all printed by {@code show_interrupts()} in kernel/irq/proc.c or its
 * predecessors and seen on production machines:
 * <pre>
 *            CPU0       CPU1       CPU3                         header: online CPUs only, gaps possible
 *  24:          1          0          7  IO-APIC   5-edge      ACPI:Ged        x86: hwirq-flow glued
 *  11:        512        498          3     GICv3  27 Level     arch_timer     arm64: separate Level/Edge word
 *  16:         10          0          0   IR-IO-APIC-fasteoi   ehci_hcd:usb1, eth0   old: one chip-flow token
 *  88:          0          7          0  IR-PCI-MSIX-0000:86:00.0 40-edge mlx5_comp40@pci:0000:86:00.0
 * NMI:          0          0          0   Non-maskable interrupts           named rows: skipped, see below
 * ERR:          0                                                            single value
 * IPI0:       105         99         12   Rescheduling interrupts          arm64, no space after the colon
 * </pre>
 * Counts are taken by the number of CPU labels in the header and nothing else, so a chip whose name starts
 * with a digit cannot be mistaken for a count. After the counts come the chip, an optional hwirq, the trigger
 * and the device names, which may contain spaces, colons and {@code @}; a shared line lists several devices
 * separated by {@code ", "}, which is how the kernel joins them.
 *
 * <p>Named rows (NMI, LOC, RES, CAL, TLB, IPIn, ERR, MIS, FIQ, s390's EXT and I/O …) are per-CPU counters of
 * the architecture, not device interrupts. They are skipped: they are neither kept nor added to the totals,
 * because the local timer alone would drown the signal of every device row in the totals, and the sample is
 * about NIC and tunnel queues.
 *
 * <p>Cost: index arithmetic over the file's bytes ({@link AsciiBytes#of}), one pass: the counts, a million on a
 * big host, are read from the label on and the end of the line is looked for only after them
 * ({@link Scan#decimals}). For a numbered row nothing is allocated unless it is kept, and a kept row takes the
 * scratch array instead of a copy of it. The device pattern runs once per device name through one
 * {@link Matcher} reused for the whole file. Instances are immutable and thread-safe.
 */
public final class InterruptsParser {

    /**
     * Device names of NIC queues and tunnels: eth*, en*, mlx*, i40e*, ixgbe*, ena*, tun*, wg*, vxlan*, and the
     * queues of virtio-net ({@code virtio2-input.0}, {@code virtio2-output.0}). The virtio rule wants the
     * {@code .N} queue suffix because virtio-rng names its only queue {@code input}, which is no NIC.
     */
    public static final Pattern DEFAULT_DEVICES =
            Pattern.compile("^(?:eth|en|mlx|i40e|ixgbe|ena|tun|wg|vxlan)|^virtio\\d+-(?:input|output)\\.\\d+");

    private static final String DEVICE_SEPARATOR = ", ";
    // Flow handler names that old kernels glued to the chip name.
    private static final String[] OLD_STYLE_FLOWS = {"-edge", "-level", "-fasteoi"};

    private final Pattern devices;

    public InterruptsParser() {
        this(DEFAULT_DEVICES);
    }

    /** @param devices kept when it is found ({@link Matcher#find()}) in at least one device name of a row */
    public InterruptsParser(Pattern devices) {
        this.devices = Objects.requireNonNull(devices, "devices");
    }

    public InterruptsParse parse(CharSequence file) throws MalformedFileException {
        AsciiBytes bytes = AsciiBytes.of(file);
        byte[] text = bytes.bytes();
        int length = bytes.length();
        int pos = 0;
        int[] cpus = null;
        while (pos < length && cpus == null) {
            int end = Scan.lineEnd(text, pos, length);
            int start = Scan.skipSpaces(text, pos, end);
            pos = end + 1;
            if (start == end) {
                continue;
            }
            try {
                cpus = CpuColumns.header(text, start, end);
            } catch (MalformedFileException e) {
                throw new MalformedFileException("the first line is no CPU header, so no count can be given a CPU ("
                        + e.getMessage() + "): '" + Scan.string(text, start, Math.min(end, start + 80)) + "'");
            }
        }
        if (cpus == null) {
            throw new MalformedFileException("the file is empty: no CPU header");
        }

        Rows rows = new Rows(text, length, cpus.length, devices.matcher(""));
        while (pos < length) {
            pos = rows.parseLine(pos) + 1;
        }
        return new InterruptsParse(cpus, rows.kept, rows.otherTotals, rows.malformed);
    }

    /** The state of one parse: reused scratch space, so that a row that is not kept costs no allocation. */
    private static final class Rows {
        private final byte[] text;
        private final int length;
        private final int cpuCount;
        private final Matcher matcher;
        private final Window window;
        private long[] counts;
        private final long[] otherTotals;
        private final List<IrqLine> kept = new ArrayList<>();
        private int malformed;

        // Bounds of the description fields of the current row; -1 when absent.
        private int chipStart;
        private int chipEnd;
        private int hwirqStart;
        private int hwirqEnd;
        private int triggerStart;
        private int triggerEnd;

        Rows(byte[] text, int length, int cpuCount, Matcher matcher) {
            this.text = text;
            this.length = length;
            this.cpuCount = cpuCount;
            this.matcher = matcher;
            this.window = new Window(text);
            this.counts = new long[cpuCount];
            this.otherTotals = new long[cpuCount];
        }

        /** Reads the row that starts at {@code lineStart}; returns where it ends (its newline, or the length). */
        int parseLine(int lineStart) {
            int labelStart = Scan.skipSpaces(text, lineStart, length);
            if (labelStart == length || text[labelStart] == '\n') {
                return labelStart; // a blank line
            }
            int labelEnd = labelStart;
            while (labelEnd < length && text[labelEnd] != ':' && text[labelEnd] != '\n' && !Scan.isSpace(text[labelEnd])) {
                labelEnd++;
            }
            if (labelEnd == length || text[labelEnd] != ':' || labelEnd == labelStart) {
                malformed++;
                return Scan.lineEnd(text, labelEnd, length);
            }
            if (!Scan.isDigits(text, labelStart, labelEnd)) {
                return Scan.lineEnd(text, labelEnd, length); // a named row: see the class comment
            }
            // Bounded by the file, not the line: the numbers stop at the newline, whose place is learnt after them.
            int i = Scan.decimals(text, labelEnd + 1, length, counts);
            if (i < 0) {
                malformed++; // fewer counts than CPUs (a cut line) or a count that is no number
                return Scan.lineEnd(text, labelEnd, length);
            }
            int end = Scan.lineEnd(text, i, length);
            int descriptionEnd = Scan.trimEnd(text, i, end);
            int devicesStart = describe(Scan.skipSpaces(text, i, descriptionEnd), descriptionEnd);
            if (anyDeviceMatches(devicesStart, descriptionEnd)) {
                kept.add(line(labelStart, labelEnd, devicesStart, descriptionEnd));
            } else {
                for (int column = 0; column < cpuCount; column++) {
                    otherTotals[column] += counts[column];
                }
            }
            return end;
        }

        /** Finds chip, hwirq and trigger in {@code [from, end)}; returns where the device names start. */
        private int describe(int from, int end) {
            chipStart = chipEnd = hwirqStart = hwirqEnd = triggerStart = triggerEnd = -1;
            if (from >= end) {
                return end;
            }
            chipStart = from;
            chipEnd = Scan.tokenEnd(text, from, end);
            int next = Scan.skipSpaces(text, chipEnd, end);
            int nextEnd = Scan.tokenEnd(text, next, end);
            if (hwirqWithOptionalFlow(next, nextEnd)) {
                next = Scan.skipSpaces(text, nextEnd, end);
            } else if (nextEnd - next > 1 && text[next] == '-') {
                // No irq domain: the kernel pads the empty hwirq and prints "-edge" on its own.
                triggerStart = next + 1;
                triggerEnd = nextEnd;
                next = Scan.skipSpaces(text, nextEnd, end);
            } else {
                splitOldStyleChip();
            }
            if (triggerStart < 0 && next < end) {
                nextEnd = Scan.tokenEnd(text, next, end);
                // CONFIG_GENERIC_IRQ_SHOW_LEVEL (arm, arm64, riscv) prints the trigger as its own word.
                if (Scan.regionEquals(text, next, nextEnd, "Level") || Scan.regionEquals(text, next, nextEnd, "Edge")) {
                    triggerStart = next;
                    triggerEnd = nextEnd;
                    next = Scan.skipSpaces(text, nextEnd, end);
                }
            }
            return next;
        }

        /** {@code 5} or {@code 5-edge}: the hwirq, glued to the flow handler's name on x86. */
        private boolean hwirqWithOptionalFlow(int from, int to) {
            int dash = Scan.indexOf(text, '-', from, to);
            int digitsEnd = dash < 0 ? to : dash;
            if (!Scan.isDigits(text, from, digitsEnd) || dash == to - 1) {
                return false;
            }
            hwirqStart = from;
            hwirqEnd = digitsEnd;
            if (dash >= 0) {
                triggerStart = dash + 1;
                triggerEnd = to;
            }
            return true;
        }

        /** Kernels before 3.x printed chip and flow as one token: {@code IR-IO-APIC-edge}, {@code PCI-MSI-edge}. */
        private void splitOldStyleChip() {
            for (String flow : OLD_STYLE_FLOWS) {
                int suffixStart = chipEnd - flow.length();
                if (suffixStart > chipStart && Scan.regionEquals(text, suffixStart, chipEnd, flow)) {
                    triggerStart = suffixStart + 1;
                    triggerEnd = chipEnd;
                    chipEnd = suffixStart;
                    return;
                }
            }
        }

        private boolean anyDeviceMatches(int from, int end) {
            int start = from;
            while (start < end) {
                int separator = indexOfSeparator(start, end);
                int deviceEnd = separator < 0 ? end : separator;
                window.bounds(start, Scan.trimEnd(text, start, deviceEnd));
                if (window.length() > 0 && matcher.reset(window).find()) {
                    return true;
                }
                if (separator < 0) {
                    return false;
                }
                start = Scan.skipSpaces(text, separator + DEVICE_SEPARATOR.length(), end);
            }
            return false;
        }

        private int indexOfSeparator(int from, int end) {
            for (int i = from; i + 1 < end; i++) {
                if (text[i] == ',' && text[i + 1] == ' ') {
                    return i;
                }
            }
            return -1;
        }

        private IrqLine line(int labelStart, int labelEnd, int devicesStart, int end) {
            List<String> names = new ArrayList<>(1);
            int start = devicesStart;
            while (start < end) {
                int separator = indexOfSeparator(start, end);
                int deviceEnd = Scan.trimEnd(text, start, separator < 0 ? end : separator);
                if (deviceEnd > start) {
                    names.add(Scan.string(text, start, deviceEnd));
                }
                if (separator < 0) {
                    break;
                }
                start = Scan.skipSpaces(text, separator + DEVICE_SEPARATOR.length(), end);
            }
            // The line keeps the scratch counts and the next row gets a fresh array: no copy of 1152 longs.
            long[] lineCounts = counts;
            counts = new long[cpuCount];
            return new IrqLine(Scan.string(text, labelStart, labelEnd), field(chipStart, chipEnd),
                    field(hwirqStart, hwirqEnd),
                    triggerStart < 0 ? null : Scan.string(text, triggerStart, triggerEnd).toLowerCase(Locale.ROOT),
                    names, LongList.of(lineCounts), null, null, null, null, null, null); // placement: the collector adds it
        }

        private String field(int start, int end) {
            return start < 0 ? null : Scan.string(text, start, end);
        }
    }

    /**
     * A movable window on the parsed bytes, so the device pattern can run without copying each name. Each byte is
     * one char, as {@link AsciiBytes} shows them; the patterns only look at ASCII.
     */
    private static final class Window implements CharSequence {
        private final byte[] text;
        private int start;
        private int end;

        Window(byte[] text) {
            this.text = text;
        }

        void bounds(int from, int to) {
            this.start = from;
            this.end = to;
        }

        @Override
        public int length() {
            return end - start;
        }

        @Override
        public char charAt(int index) {
            if (index < 0 || index >= end - start) {
                throw new IndexOutOfBoundsException(index);
            }
            return (char) (text[start + index] & 0xff);
        }

        @Override
        public CharSequence subSequence(int from, int to) {
            return Scan.string(text, start + from, start + to);
        }

        @Override
        public String toString() {
            return Scan.string(text, start, end);
        }
    }
}
