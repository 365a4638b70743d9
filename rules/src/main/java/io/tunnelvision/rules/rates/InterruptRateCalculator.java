package io.tunnelvision.rules.rates;

import io.tunnelvision.schemas.avro.InterruptRates;
import io.tunnelvision.schemas.avro.InterruptSample;
import io.tunnelvision.schemas.avro.IrqLine;
import io.tunnelvision.schemas.avro.IrqLineRate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Per-second interrupt, NET_RX/NET_TX softirq and softirq-time rates per (CPU, IRQ line) between two samples of
 * one boot. Only CPUs online in both samples get a column (hotplug); lines present in only one are left out.
 */
public final class InterruptRateCalculator implements RateCalculator<InterruptSample, InterruptRates> {

    @Override
    public InterruptRates between(InterruptSample previous, InterruptSample current) {
        double seconds = RateHeaders.seconds(previous.getHeader(), current.getHeader());
        List<Integer> cpus = new ArrayList<>();
        List<int[]> columns = new ArrayList<>();  // {index in previous, index in current}
        Map<Integer, Integer> previousIndex = indexOf(previous.getOnlineCpus());
        List<Integer> currentCpus = current.getOnlineCpus();
        for (int i = 0; i < currentCpus.size(); i++) {
            Integer before = previousIndex.get(currentCpus.get(i));
            if (before != null) {
                cpus.add(currentCpus.get(i));
                columns.add(new int[] {before, i});
            }
        }
        Map<String, IrqLine> previousLines = new HashMap<>();
        for (IrqLine line : previous.getLines()) {
            previousLines.put(line.getIrq(), line);
        }
        List<IrqLineRate> lines = new ArrayList<>();
        for (IrqLine line : current.getLines()) {
            IrqLine before = previousLines.get(line.getIrq());
            if (before != null) {
                lines.add(new IrqLineRate(line.getIrq(), List.copyOf(line.getDevices()),
                        perSecond32(before.getCounts(), line.getCounts(), columns, seconds)));
            }
        }
        return InterruptRates.newBuilder()
                .setHeader(RateHeaders.between(previous.getHeader(), current.getHeader()))
                .setCpus(cpus)
                .setLines(lines)
                .setOtherPerSecond(perSecond32(previous.getOtherTotals(), current.getOtherTotals(), columns, seconds))
                .setNetRxPerSecond(perSecond32(previous.getNetRxSoftirqs(), current.getNetRxSoftirqs(), columns, seconds))
                .setNetTxPerSecond(perSecond32(previous.getNetTxSoftirqs(), current.getNetTxSoftirqs(), columns, seconds))
                .setSoftirqShare(softirqShare(previous, current, columns))
                .build();
    }

    private static Map<Integer, Integer> indexOf(List<Integer> cpus) {
        Map<Integer, Integer> index = new HashMap<>();
        for (int i = 0; i < cpus.size(); i++) {
            index.put(cpus.get(i), i);
        }
        return index;
    }

    /** A missing column (a short array from a partial read) or an unknowable delta counts as 0. */
    private static List<Double> perSecond32(List<Long> before, List<Long> after, List<int[]> columns, double seconds) {
        List<Double> rates = new ArrayList<>(columns.size());
        for (int[] column : columns) {
            if (column[0] >= before.size() || column[1] >= after.size()) {
                rates.add(0.0);
                continue;
            }
            OptionalLong delta = Counters.delta32(before.get(column[0]), after.get(column[1]));
            rates.add(delta.isPresent() ? delta.getAsLong() / seconds : 0.0);
        }
        return rates;
    }

    private static List<Double> softirqShare(InterruptSample previous, InterruptSample current, List<int[]> columns) {
        List<Double> shares = new ArrayList<>(columns.size());
        for (int[] column : columns) {
            double softirq = delta64(previous.getSoftirqTicks(), current.getSoftirqTicks(), column);
            double total = delta64(previous.getTotalTicks(), current.getTotalTicks(), column);
            shares.add(total > 0 ? Math.min(1.0, softirq / total) : 0.0);
        }
        return shares;
    }

    private static double delta64(List<Long> before, List<Long> after, int[] column) {
        if (column[0] >= before.size() || column[1] >= after.size()) {
            return 0;
        }
        return Counters.delta64(before.get(column[0]), after.get(column[1])).orElse(0);
    }
}
