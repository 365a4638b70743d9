package io.tunnelvision.rules.rates;

import io.tunnelvision.schemas.avro.SoftnetCpu;
import io.tunnelvision.schemas.avro.SoftnetCpuRate;
import io.tunnelvision.schemas.avro.SoftnetRates;
import io.tunnelvision.schemas.avro.SoftnetSample;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Per-CPU softnet rates. softnet_stat counters are 32-bit. A CPU is matched by the kernel's CPU index when both
 * samples have it, else by row; CPUs present in only one sample (hotplug) are left out.
 */
public final class SoftnetRateCalculator implements RateCalculator<SoftnetSample, SoftnetRates> {

    @Override
    public SoftnetRates between(SoftnetSample previous, SoftnetSample current) {
        double seconds = RateHeaders.seconds(previous.getHeader(), current.getHeader());
        Map<Integer, SoftnetCpu> before = new HashMap<>();
        for (SoftnetCpu cpu : previous.getCpus()) {
            before.put(cpuId(cpu), cpu);
        }
        List<SoftnetCpuRate> rates = new ArrayList<>();
        for (SoftnetCpu now : current.getCpus()) {
            SoftnetCpu then = before.get(cpuId(now));
            if (then == null) {
                continue;
            }
            rates.add(SoftnetCpuRate.newBuilder()
                    .setCpu(cpuId(now))
                    .setProcessedPerSec(rate(then.getProcessed(), now.getProcessed(), seconds))
                    .setDroppedPerSec(rate(then.getDropped(), now.getDropped(), seconds))
                    .setTimeSqueezePerSec(rate(then.getTimeSqueeze(), now.getTimeSqueeze(), seconds))
                    .setReceivedRpsPerSec(optionalRate(then.getReceivedRps(), now.getReceivedRps(), seconds))
                    .setFlowLimitPerSec(optionalRate(then.getFlowLimitCount(), now.getFlowLimitCount(), seconds))
                    .setBacklogLen(now.getBacklogLen())
                    .build());
        }
        return SoftnetRates.newBuilder()
                .setHeader(RateHeaders.between(previous.getHeader(), current.getHeader()))
                .setCpus(rates)
                .build();
    }

    private static int cpuId(SoftnetCpu cpu) {
        return cpu.getCpu() != null ? cpu.getCpu() : cpu.getRow();
    }

    private static double rate(long before, long after, double seconds) {
        OptionalLong delta = Counters.delta32(before, after);
        return delta.isPresent() ? delta.getAsLong() / seconds : 0.0;
    }

    private static Double optionalRate(Long before, Long after, double seconds) {
        if (before == null || after == null) {
            return null;
        }
        return rate(before, after, seconds);
    }
}
