package io.tunnelvision.rules.rates;

import io.tunnelvision.schemas.avro.KernelRates;
import io.tunnelvision.schemas.avro.KernelSettingsSample;

/** Rates of the UDP and IP fragmentation counters; null where either sample lacks one or it was reset. */
public final class KernelRateCalculator implements RateCalculator<KernelSettingsSample, KernelRates> {

    @Override
    public KernelRates between(KernelSettingsSample previous, KernelSettingsSample current) {
        double seconds = RateHeaders.seconds(previous.getHeader(), current.getHeader());
        return KernelRates.newBuilder()
                .setHeader(RateHeaders.between(previous.getHeader(), current.getHeader()))
                .setUdpRcvbufErrorsPerSec(rate(previous.getUdpRcvbufErrors(), current.getUdpRcvbufErrors(), seconds))
                .setUdpSndbufErrorsPerSec(rate(previous.getUdpSndbufErrors(), current.getUdpSndbufErrors(), seconds))
                .setUdpInErrorsPerSec(rate(previous.getUdpInErrors(), current.getUdpInErrors(), seconds))
                .setIpFragCreatesPerSec(rate(previous.getIpFragCreates(), current.getIpFragCreates(), seconds))
                .setIpFragFailsPerSec(rate(previous.getIpFragFails(), current.getIpFragFails(), seconds))
                .setIpReasmReqdsPerSec(rate(previous.getIpReasmReqds(), current.getIpReasmReqds(), seconds))
                .setIpReasmFailsPerSec(rate(previous.getIpReasmFails(), current.getIpReasmFails(), seconds))
                .build();
    }

    private static Double rate(Long before, Long after, double seconds) {
        if (before == null || after == null) {
            return null;
        }
        var delta = Counters.delta64(before, after);
        return delta.isPresent() ? delta.getAsLong() / seconds : null;
    }
}
