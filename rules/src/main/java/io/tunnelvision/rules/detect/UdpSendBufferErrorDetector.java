package io.tunnelvision.rules.detect;

import io.tunnelvision.schemas.avro.HotspotType;
import io.tunnelvision.schemas.avro.KernelRates;
import java.util.List;
import java.util.Map;

/**
 * UDP send-buffer errors rising: a socket's send buffer (bounded by wmem_max) was full, so a datagram, for a VPN
 * daemon a tunnel packet, was dropped. The send-side twin of {@link UdpBufferErrorDetector}, judged against the
 * same rate ({@code udpRcvbufErrorsPerSec}): a lost datagram costs the same whichever buffer dropped it.
 */
public final class UdpSendBufferErrorDetector {

    static final String TARGET = "udp-send";
    private final DetectionThresholds thresholds;

    public UdpSendBufferErrorDetector(DetectionThresholds thresholds) {
        this.thresholds = thresholds;
    }

    public List<Finding> evaluate(KernelRates rates) {
        if (rates.getUdpSndbufErrorsPerSec() == null) {
            return List.of();
        }
        double errors = rates.getUdpSndbufErrorsPerSec();
        Map<String, Double> evidence = Map.of("udpSndbufErrorsPerSec", errors);
        if (errors < thresholds.udpRcvbufErrorsPerSec()) {
            return List.of(Finding.good(HotspotType.UDP_SEND_BUFFER_ERRORS, TARGET, errors, evidence));
        }
        return List.of(Finding.bad(HotspotType.UDP_SEND_BUFFER_ERRORS, TARGET, errors,
                thresholds.udpRcvbufErrorsPerSec(), evidence,
                String.format("%.1f UDP datagrams/s dropped for a full send buffer", errors)));
    }
}
