package io.tunnelvision.rules.detect;

import io.tunnelvision.schemas.avro.HotspotType;
import io.tunnelvision.schemas.avro.KernelRates;
import java.util.List;
import java.util.Map;

/** UDP receive-buffer errors rising: the VPN daemon's socket buffer (bounded by rmem_max) overflows. */
public final class UdpBufferErrorDetector {

    static final String TARGET = "udp";
    private final DetectionThresholds thresholds;

    public UdpBufferErrorDetector(DetectionThresholds thresholds) {
        this.thresholds = thresholds;
    }

    public List<Finding> evaluate(KernelRates rates) {
        if (rates.getUdpRcvbufErrorsPerSec() == null) {
            return List.of();
        }
        double errors = rates.getUdpRcvbufErrorsPerSec();
        Map<String, Double> evidence = Map.of("udpRcvbufErrorsPerSec", errors);
        if (errors < thresholds.udpRcvbufErrorsPerSec()) {
            return List.of(Finding.good(HotspotType.UDP_BUFFER_ERRORS, TARGET, errors, evidence));
        }
        return List.of(Finding.bad(HotspotType.UDP_BUFFER_ERRORS, TARGET, errors, thresholds.udpRcvbufErrorsPerSec(),
                evidence, String.format("%.1f UDP datagrams/s dropped for a full receive buffer", errors)));
    }
}
