package io.tunnelvision.rules.rates;

import io.tunnelvision.schemas.avro.RateHeader;
import io.tunnelvision.schemas.avro.SampleHeader;

/** The interval between two samples of one host and boot. */
final class RateHeaders {

    private RateHeaders() {
    }

    static RateHeader between(SampleHeader from, SampleHeader to) {
        return RateHeader.newBuilder()
                .setHostId(to.getHostId()).setBootId(to.getBootId())
                .setFromMs(from.getSampleTimeMs()).setToMs(to.getSampleTimeMs())
                .setFromSequence(from.getSequence()).setToSequence(to.getSequence())
                .build();
    }

    static double seconds(SampleHeader from, SampleHeader to) {
        return (to.getSampleTimeMs() - from.getSampleTimeMs()) / 1000.0;
    }
}
