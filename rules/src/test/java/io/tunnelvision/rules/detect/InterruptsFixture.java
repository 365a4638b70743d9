package io.tunnelvision.rules.detect;

import io.tunnelvision.schemas.avro.InterruptRates;
import io.tunnelvision.schemas.avro.InterruptSample;
import io.tunnelvision.schemas.avro.IrqLine;
import io.tunnelvision.schemas.avro.IrqLineRate;
import io.tunnelvision.schemas.avro.RateHeader;
import io.tunnelvision.schemas.avro.SampleHeader;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A /proc/interrupts excerpt under {@code interrupts/} read as one second of rates (its counts are per second)
 * and as the sample they end with. '#' lines give the layout's provenance. Test-only: the agent owns the real
 * parser, and rules does not depend on the agent.
 */
record InterruptsFixture(List<Integer> cpus, List<IrqLine> lines) {

    private static final Pattern TRIGGER = Pattern.compile("\\d+-(?:edge|level|fasteoi)");

    static InterruptsFixture read(String name) {
        String text;
        try (InputStream in = InterruptsFixture.class.getResourceAsStream("interrupts/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture interrupts/" + name);
            }
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Integer> cpus = new ArrayList<>();
        List<IrqLine> lines = new ArrayList<>();
        for (String raw : text.split("\n")) {
            String row = raw.trim();
            if (row.isEmpty() || row.startsWith("#")) {
                continue;
            }
            if (row.startsWith("CPU")) {
                for (String cpu : row.split("\\s+")) {
                    cpus.add(Integer.parseInt(cpu.substring(3)));
                }
                continue;
            }
            String[] tokens = row.split("\\s+");
            List<Long> counts = new ArrayList<>();
            for (int i = 1; i <= cpus.size(); i++) {
                counts.add(Long.parseLong(tokens[i]));
            }
            int trigger = cpus.size() + 1;
            while (!TRIGGER.matcher(tokens[trigger]).matches()) {
                trigger++;
            }
            String chip = String.join(" ", Arrays.asList(tokens).subList(cpus.size() + 1, trigger));
            String names = String.join(" ", Arrays.asList(tokens).subList(trigger + 1, tokens.length));
            lines.add(IrqLine.newBuilder().setIrq(tokens[0].replace(":", "")).setChip(chip)
                    .setHwirq(tokens[trigger].replaceAll("-.*", "")).setTrigger(tokens[trigger].replaceAll(".*-", ""))
                    .setDevices(List.of(names.split(", "))).setCounts(counts).build());
        }
        return new InterruptsFixture(List.copyOf(cpus), List.copyOf(lines));
    }

    InterruptRates rates() {
        List<IrqLineRate> rates = lines.stream().map(l -> new IrqLineRate(l.getIrq(), l.getDevices(),
                l.getCounts().stream().map(Long::doubleValue).toList())).toList();
        List<Double> zeros = Collections.nCopies(cpus.size(), 0.0);
        return InterruptRates.newBuilder()
                .setHeader(new RateHeader("gw", "b", 0L, 1000L, 1L, 2L))
                .setCpus(cpus).setLines(rates).setOtherPerSecond(zeros).setNetRxPerSecond(zeros)
                .setNetTxPerSecond(zeros).setSoftirqShare(zeros).build();
    }

    InterruptSample sample() {
        List<Long> zeros = Collections.nCopies(cpus.size(), 0L);
        return InterruptSample.newBuilder().setHeader(new SampleHeader("gw", "b", 2L, 1000L, "test"))
                .setOnlineCpus(cpus).setLines(lines).setOtherTotals(zeros).setNetRxSoftirqs(zeros)
                .setNetTxSoftirqs(zeros).setSoftirqTicks(zeros).setTotalTicks(zeros).build();
    }
}
