package io.tunnelvision.agent.collect;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The text ethtool 5.x and 6.x print for {@code -i}, {@code -g}, {@code -l}, {@code -c}, {@code -k} and
 * {@code -S} (the netlink and the ioctl paths print the same layout). Pure functions from text to values; a
 * value the device does not report ({@code n/a}, a missing line) is null, never 0, so that "ring size unknown"
 * cannot be read as "ring size 0". A line that is not {@code name: value} is counted in {@link Stats#malformed}
 * (for {@code -S}, the one output with thousands of lines) or ignored (the others, whose layout has headers and
 * blank lines).
 */
public final class EthtoolParse {

    private EthtoolParse() {
    }

    /** {@code -g}: the RX and TX ring sizes, current and the device's pre-set maximum. */
    public record Rings(Integer rx, Integer rxMax, Integer tx, Integer txMax) {
    }

    /**
     * {@code -l}: channels, current and maximum. A device has either combined channels (one IRQ serves an RX and a
     * TX queue: mlx5, i40e, ice, ixgbe, ena, virtio) or separate RX and TX ones (veth); the other kind is null.
     */
    public record Channels(Integer rx, Integer rxMax, Integer tx, Integer txMax, Integer combined,
                           Integer combinedMax) {
    }

    /** {@code -c}: the receive coalescing that decides how long a packet may wait for its interrupt. */
    public record Coalesce(Integer rxUsecs, Integer rxFrames, Integer txUsecs, Boolean adaptiveRx) {
    }

    /** {@code -S}: counters by the driver's own names, in the order printed, and the lines that were not counters. */
    public record Stats(Map<String, Long> counters, List<String> malformed) {
    }

    /** The {@code driver:} line of {@code -i}, or null. */
    public static String driver(String text) {
        for (String line : lines(text)) {
            if (line.startsWith("driver:")) {
                String d = line.substring("driver:".length()).strip();
                return d.isEmpty() ? null : d;
            }
        }
        return null;
    }

    public static Rings rings(String text) {
        Map<String, Integer> max = new LinkedHashMap<>();
        Map<String, Integer> current = new LinkedHashMap<>();
        twoSections(text, max, current);
        return new Rings(current.get("RX"), max.get("RX"), current.get("TX"), max.get("TX"));
    }

    public static Channels channels(String text) {
        Map<String, Integer> max = new LinkedHashMap<>();
        Map<String, Integer> current = new LinkedHashMap<>();
        twoSections(text, max, current);
        return new Channels(positive(current.get("RX")), positive(max.get("RX")), positive(current.get("TX")),
                positive(max.get("TX")), positive(current.get("Combined")), positive(max.get("Combined")));
    }

    public static Coalesce coalesce(String text) {
        Integer rxUsecs = null;
        Integer rxFrames = null;
        Integer txUsecs = null;
        Boolean adaptiveRx = null;
        for (String line : lines(text)) {
            if (line.startsWith("Adaptive RX:")) {
                // "Adaptive RX: off  TX: off"; ethtool 6.x with netlink prints "n/a" for drivers without it
                String v = line.substring("Adaptive RX:".length()).strip().split("\\s+")[0];
                adaptiveRx = "on".equals(v) ? Boolean.TRUE : "off".equals(v) ? Boolean.FALSE : null;
                continue;
            }
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String key = line.substring(0, colon).strip();
            Integer value = integer(line.substring(colon + 1).strip());
            switch (key) {
                case "rx-usecs" -> rxUsecs = value;
                case "rx-frames" -> rxFrames = value;
                case "tx-usecs" -> txUsecs = value;
                default -> {
                }
            }
        }
        return new Coalesce(rxUsecs, rxFrames, txUsecs, adaptiveRx);
    }

    /**
     * {@code -k}: every feature's state by ethtool's name, {@code [fixed]} or {@code [requested on]} dropped
     * (they say whether it can change, not whether it is on). Indented sub-features are kept as well.
     */
    public static Map<String, Boolean> features(String text) {
        Map<String, Boolean> features = new LinkedHashMap<>();
        for (String line : lines(text)) {
            int colon = line.indexOf(':');
            if (colon <= 0 || line.startsWith("Features for")) {
                continue;
            }
            String name = line.substring(0, colon).strip();
            String state = line.substring(colon + 1).strip();
            if (state.startsWith("on")) {
                features.put(name, Boolean.TRUE);
            } else if (state.startsWith("off")) {
                features.put(name, Boolean.FALSE);
            }
        }
        return features;
    }

    /** {@code -S}: {@code name: value} under the {@code NIC statistics:} header. */
    public static Stats stats(String text) {
        Map<String, Long> counters = new LinkedHashMap<>();
        List<String> malformed = new ArrayList<>();
        int n = 0;
        for (String raw : text == null ? new String[0] : text.split("\n")) {
            n++;
            String line = raw.strip();
            if (line.isEmpty() || line.endsWith("statistics:")) {
                continue; // "NIC statistics:"
            }
            int colon = line.lastIndexOf(':');
            Long value = colon > 0 ? longValue(line.substring(colon + 1).strip()) : null;
            if (value == null) {
                malformed.add("line " + n + ": not 'name: number'");
                continue;
            }
            counters.put(line.substring(0, colon).strip(), value);
        }
        return new Stats(counters, malformed);
    }

    /** Fills {@code max} from "Pre-set maximums:" and {@code current} from "Current hardware settings:". */
    private static void twoSections(String text, Map<String, Integer> max, Map<String, Integer> current) {
        Map<String, Integer> into = null;
        for (String line : lines(text)) {
            if (line.startsWith("Pre-set maximums")) {
                into = max;
            } else if (line.startsWith("Current hardware settings")) {
                into = current;
            } else if (into != null) {
                int colon = line.indexOf(':');
                if (colon > 0) {
                    into.put(line.substring(0, colon).strip(), integer(line.substring(colon + 1).strip()));
                }
            }
        }
    }

    private static List<String> lines(String text) {
        List<String> lines = new ArrayList<>();
        if (text == null) {
            return lines;
        }
        for (String line : text.split("\n")) {
            lines.add(line.strip());
        }
        return lines;
    }

    /** 0 channels of a kind means the device has none of that kind ({@code ethtool -l} prints 0 or n/a). */
    private static Integer positive(Integer v) {
        return v == null || v <= 0 ? null : v;
    }

    private static Integer integer(String s) {
        Long v = longValue(s.split("\\s+")[0]);
        return v == null || v > Integer.MAX_VALUE ? null : v.intValue();
    }

    private static Long longValue(String s) {
        if (s.isEmpty() || s.length() > 20) {
            return null;
        }
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return null;
            }
        }
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return null; // above Long.MAX_VALUE
        }
    }
}
