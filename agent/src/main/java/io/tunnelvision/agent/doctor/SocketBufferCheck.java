package io.tunnelvision.agent.doctor;

import io.tunnelvision.rules.detect.Finding;
import io.tunnelvision.rules.plan.Change;
import io.tunnelvision.schemas.avro.HotspotType;
import java.util.List;
import java.util.Set;

/**
 * UDP {@code RcvbufErrors}/{@code SndbufErrors} rising: datagrams dropped because a socket buffer was full. For a
 * userspace VPN (OpenVPN) every one is a lost tunnel packet.
 */
final class SocketBufferCheck implements Check {

    /** What the doctor suggests a VPN daemon asks for once the cap allows it: the manual's 16 MiB. */
    static final long DAEMON_BUFFER = 16L * 1024 * 1024;

    @Override
    public String name() {
        return "socket-buffers";
    }

    @Override
    public Set<HotspotType> types() {
        return Set.of(HotspotType.UDP_BUFFER_ERRORS, HotspotType.UDP_SEND_BUFFER_ERRORS);
    }

    private static boolean receive(Finding f) {
        return f.type() == HotspotType.UDP_BUFFER_ERRORS;
    }

    @Override
    public String subject(Finding f) {
        return receive(f) ? "udp receive buffers" : "udp send buffers";
    }

    @Override
    public String seen(Finding f, HostInterval interval) {
        boolean rx = receive(f);
        double rate = f.evidence().get(rx ? "udpRcvbufErrorsPerSec" : "udpSndbufErrorsPerSec");
        Long max = rx ? interval.kernel().getRmemMax() : interval.kernel().getWmemMax();
        Long dflt = rx ? interval.facts().rmemDefault() : interval.facts().wmemDefault();
        return "Udp " + (rx ? "RcvbufErrors " : "SndbufErrors ") + Text.rate(rate) + " over "
                + Text.seconds(interval.seconds()) + "; net.core." + (rx ? "rmem_max " : "wmem_max ")
                + SoftnetSqueezeCheck.value(max) + ", net.core." + (rx ? "rmem_default " : "wmem_default ")
                + SoftnetSqueezeCheck.value(dflt);
    }

    @Override
    public String why(Finding f, List<Change> changes, HostInterval interval) {
        boolean rx = receive(f);
        String maxName = rx ? "rmem_max" : "wmem_max";
        String option = rx ? "rcvbuf" : "sndbuf";
        return "A UDP datagram that finds its socket's " + (rx ? "receive" : "send") + " buffer full is dropped; "
                + "for a VPN daemon that is a lost tunnel packet and a retransmit timeout for TCP inside. " + maxName
                + " caps what a socket may ask for with SO_" + option.toUpperCase(java.util.Locale.ROOT)
                + "; a socket that does not ask gets " + (rx ? "rmem_default" : "wmem_default") + ". "
                + (changes.isEmpty() ? "The cap is already at the top of the rules' ladder: the daemon must ask for "
                        + "a bigger buffer (OpenVPN: '" + option + " " + DAEMON_BUFFER + "'), or it is too slow to "
                        + "keep up. "
                        : "Raise the cap one step, then let the daemon ask for it (OpenVPN: '" + option + " "
                                + DAEMON_BUFFER + "' in its config). ")
                + "The counter covers every UDP socket of the host, not only the VPN's.";
    }
}
