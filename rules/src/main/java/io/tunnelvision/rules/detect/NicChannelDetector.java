package io.tunnelvision.rules.detect;

import io.tunnelvision.schemas.avro.HotspotType;
import io.tunnelvision.schemas.avro.Nic;
import io.tunnelvision.schemas.avro.NicSample;
import io.tunnelvision.schemas.avro.Severity;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A NIC running a single channel (one queue pair, one interrupt, one CPU doing all its receive work) while it
 * supports more and the host has more than one CPU: RSS cannot spread a thing. Channels are counted as
 * {@code ethtool -l} reports them: combined channels when the device has them; when it says {@code Combined: n/a}
 * (veth, some virtual NICs) its RX channels, which {@code ethtool -L rx n tx n} sets.
 *
 * <p>Metric: the channels the NIC could add (its maximum, at most the CPUs, less what it runs), 0 when it runs more
 * than one. Remedy (COMBINED_CHANNELS, {@code recommendedChannels}): as many as the NIC and the CPUs allow, one
 * channel per CPU (the kernel's own default for most drivers, {@code netif_get_num_default_rss_queues}, is as many
 * as the physical cores, at most 8, so this is bounded by the catalog too).
 */
public final class NicChannelDetector {

    /** The channels a NIC runs and may run, as ethtool reports them: combined, else RX. */
    public record Channels(int current, int max, boolean combined) {
    }

    /** The channel counts that matter for this NIC, or null when it reports none. */
    public static Channels channels(Nic nic) {
        if (nic.getCombinedChannels() != null && nic.getCombinedChannelsMax() != null
                && nic.getCombinedChannelsMax() > 0) {
            return new Channels(nic.getCombinedChannels(), nic.getCombinedChannelsMax(), true);
        }
        if (nic.getRxChannels() != null && nic.getRxChannelsMax() != null && nic.getRxChannelsMax() > 0) {
            return new Channels(nic.getRxChannels(), nic.getRxChannelsMax(), false);
        }
        return null;
    }

    /**
     * @param cpus the host's CPUs (the interrupt rates' CPU count); 0 or less when unknown: then no finding, since a
     *             single channel is right on a single CPU
     */
    public List<Finding> evaluate(NicSample sample, int cpus) {
        List<Finding> findings = new ArrayList<>();
        if (sample == null || cpus < 1) {
            return findings;
        }
        for (Nic nic : sample.getNics()) {
            Channels ch = channels(nic);
            if (ch == null) {
                continue;
            }
            int possible = Math.min(ch.max(), cpus);
            Map<String, Double> evidence = new HashMap<>();
            evidence.put("channels", (double) ch.current());
            evidence.put("channelsMax", (double) ch.max());
            evidence.put("cpus", (double) cpus);
            evidence.put("combined", ch.combined() ? 1.0 : 0.0);
            if (ch.current() != 1 || possible <= 1) {
                findings.add(Finding.good(HotspotType.NIC_SINGLE_CHANNEL, nic.getInterface$(), 0, evidence));
                continue;
            }
            evidence.put("recommendedChannels", (double) possible);
            findings.add(new Finding(HotspotType.NIC_SINGLE_CHANNEL, nic.getInterface$(), true, Severity.WARNING,
                    possible - 1, evidence,
                    String.format(Locale.ROOT, "%s runs 1 %s channel of the %d it supports on a host of %d CPUs: all "
                                    + "its receive work lands on one CPU; %d channels spread it", nic.getInterface$(),
                            ch.combined() ? "combined" : "RX", ch.max(), cpus, possible)));
        }
        return findings;
    }
}
