package io.tunnelvision.rules.detect;

import io.tunnelvision.schemas.avro.HotspotType;
import java.util.Locale;

/**
 * Hotspot ids are derived, not random: {@code type:host:target:openedAtMs} (lowercase type). Reprocessing the
 * same input after a fail-over gives the same ids, and the gate can tell a command's hotspot type from its id.
 */
public final class HotspotIds {

    public static final String FLEET_HOST = "fleet";

    private HotspotIds() {
    }

    public static String of(HotspotType type, String host, String target, long openedAtMs) {
        return type.name().toLowerCase(Locale.ROOT) + ":" + host + ":" + target + ":" + openedAtMs;
    }

    /** The type a hotspot id names, UNKNOWN for an id this class did not make. */
    public static HotspotType typeOf(String hotspotId) {
        if (hotspotId == null) {
            return HotspotType.UNKNOWN;
        }
        int colon = hotspotId.indexOf(':');
        String name = (colon < 0 ? hotspotId : hotspotId.substring(0, colon)).toUpperCase(Locale.ROOT);
        try {
            return HotspotType.valueOf(name);
        } catch (IllegalArgumentException e) {
            return HotspotType.UNKNOWN;
        }
    }
}
