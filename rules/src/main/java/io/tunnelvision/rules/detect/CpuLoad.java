package io.tunnelvision.rules.detect;

import io.tunnelvision.schemas.avro.InterruptRates;
import java.util.List;

/** Where a per-CPU load sits: its total, the busiest CPU and that CPU's share. */
record CpuLoad(double total, int topIndex, double topShare) {

    static CpuLoad of(List<Double> perCpu) {
        double total = 0;
        int top = -1;
        double topValue = -1;
        for (int i = 0; i < perCpu.size(); i++) {
            double value = perCpu.get(i);
            total += value;
            if (value > topValue) {
                topValue = value;
                top = i;
            }
        }
        return new CpuLoad(total, top, total > 0 ? topValue / total : 0);
    }

    int topCpu(InterruptRates rates) {
        return topIndex < 0 ? -1 : rates.getCpus().get(topIndex);
    }

    static double maxSoftirqShare(InterruptRates rates) {
        return rates == null ? 0 : rates.getSoftirqShare().stream().mapToDouble(Double::doubleValue).max().orElse(0);
    }
}
