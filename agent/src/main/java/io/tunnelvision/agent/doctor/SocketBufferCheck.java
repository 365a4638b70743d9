package io.tunnelvision.agent.doctor;

import io.tunnelvision.schemas.avro.KernelSettingsSample;
import io.tunnelvision.schemas.avro.Severity;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * UDP {@code RcvbufErrors}/{@code SndbufErrors} rising: datagrams dropped because a socket buffer was full. For a
 * userspace VPN (OpenVPN) every one is a lost tunnel packet.
 */
final class SocketBufferCheck implements Check {

    /** Drops per second at which loss is steady rather than the odd burst. */
    static final double CRITICAL_RATE = 10;
    /** The manual's socket buffer ceiling (16 MiB): enough for a 10 Gbit/s burst of a few ms. */
    static final long TARGET_MAX = 16L * 1024 * 1024;

    @Override
    public String name() {
        return "socket-buffers";
    }

    @Override
    public List<Finding> examine(HostInterval interval) {
        List<Finding> findings = new ArrayList<>();
        check(interval, "receive", KernelSettingsSample::getUdpRcvbufErrors, "RcvbufErrors",
                interval.kernel().getRmemMax(), "rmem_max", interval.facts().rmemDefault(), "rmem_default",
                "rcvbuf", findings);
        check(interval, "send", KernelSettingsSample::getUdpSndbufErrors, "SndbufErrors",
                interval.kernel().getWmemMax(), "wmem_max", interval.facts().wmemDefault(), "wmem_default",
                "sndbuf", findings);
        return findings;
    }

    private void check(HostInterval interval, String direction, Function<KernelSettingsSample, Long> counter,
            String counterName, Long max, String maxName, Long dflt, String dfltName, String openvpnOption,
            List<Finding> findings) {
        Long errors = interval.kernelDelta(counter);
        if (errors == null || errors == 0) {
            return;
        }
        double rate = interval.perSecond(errors);
        String seen = "Udp " + counterName + " rose by " + errors + " in " + Text.seconds(interval.seconds()) + " ("
                + Text.rate(rate) + "); net.core." + maxName + " " + SoftnetSqueezeCheck.value(max) + ", net.core."
                + dfltName + " " + SoftnetSqueezeCheck.value(dflt);
        boolean small = max != null && max < TARGET_MAX;
        String why = "A UDP datagram that finds its socket's " + direction + " buffer full is dropped; for a VPN "
                + "daemon that is a lost tunnel packet and a retransmit timeout for TCP inside. " + maxName
                + " caps what a socket may ask for with SO_" + openvpnOption.toUpperCase(Locale.ROOT)
                + "; a socket that does not ask gets " + dfltName + ". "
                + (small ? "Raise the cap to the manual's 16 MiB, then let the daemon ask for it (OpenVPN: '"
                        + openvpnOption + " " + TARGET_MAX + "' in its config). "
                        : "The cap is already " + max + ": the daemon must ask for a bigger buffer (OpenVPN: '"
                                + openvpnOption + " " + TARGET_MAX + "'), or it is too slow to keep up. ")
                + "The counter covers every UDP socket of the host, not only the VPN's.";
        findings.add(new Finding(name(), rate >= CRITICAL_RATE ? Severity.CRITICAL : Severity.WARNING,
                "udp " + direction + " buffers", seen, why,
                small ? "sysctl -w net.core." + maxName + "=" + TARGET_MAX : ""));
    }
}
