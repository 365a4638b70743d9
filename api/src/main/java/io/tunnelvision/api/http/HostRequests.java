package io.tunnelvision.api.http;

import io.javalin.http.Context;
import io.tunnelvision.api.db.ReadDao;
import io.tunnelvision.api.db.Retention;
import io.tunnelvision.api.db.Tier;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * What every {@code /api/v1/hosts/{host}/...} route of a sample family reads from a request, checked the same way:
 * the host (400 when it cannot be a host id, 404 when none is stored), and for a history the interface, the time
 * range (default: the last hour), the step (default: a minute) and the tier that answers it (400 when the data that
 * far back is coarser than the step).
 */
final class HostRequests {

    static final Duration DEFAULT_SPAN = Duration.ofHours(1);
    static final Duration DEFAULT_STEP = Duration.ofMinutes(1);
    static final int MAX_IFACE_LENGTH = 64;

    /** A stored host: its id as asked and its key in the tables. */
    record Host(String id, int key) {
    }

    /** A history request: the host, the interface (null: every one), {@code [from, to)}, the step and its tier. */
    record History(Host host, String iface, Instant from, Instant to, Duration step, Tier tier) {
    }

    private final ReadDao read;
    private final Retention retention;
    private final Clock clock;

    HostRequests(ReadDao read, Retention retention, Clock clock) {
        this.read = read;
        this.retention = retention;
        this.clock = clock;
    }

    /** The path's host; 400 for a malformed id, 404 for one never stored. */
    Host host(Context ctx) {
        String hostId = Params.checkHost("host", ctx.pathParam("host"));
        return lookUp(hostId);
    }

    /** The path's host and the query's {@code iface}, {@code from}, {@code to} and {@code step}; 400s before a 404. */
    History history(Context ctx) {
        String hostId = Params.checkHost("host", ctx.pathParam("host"));
        String iface = Params.optionalText(ctx, "iface", MAX_IFACE_LENGTH);
        Instant now = clock.instant();
        Instant[] range = Params.range(ctx, now, DEFAULT_SPAN);
        Duration step = Params.step(ctx, DEFAULT_STEP);
        Tier tier = TierChoice.choose(step, range[0], range[1], now, retention);
        return new History(lookUp(hostId), iface, range[0], range[1], step, tier);
    }

    private Host lookUp(String hostId) {
        return new Host(hostId, read.hostKey(hostId).orElseThrow(() -> QueryRoutes.unknownHost(hostId)));
    }
}
