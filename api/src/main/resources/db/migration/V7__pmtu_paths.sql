-- Path-MTU probes of each WireGuard peer (PmtuSample on samples-pmtu): one row per sample and path in the raw tier,
-- rolled up per path into the 1-minute and 1-hour tiers. The agent publishes its latest probing every round (it
-- probes every TUNNELVISION_AGENT_PMTU_EVERY rounds), so consecutive rows usually repeat one probing. Partitioned
-- and retained like the rate tiers and the WireGuard peers (PartitionMaintenance).
--
-- Sizes are whole IP packets. blackholed is the rules' PmtuBlackholeDetector.blackholed: a size at or below the
-- tunnel's MTU failed after a smaller one passed, and no ICMP reported a path MTU. The primary key is the query
-- index and makes a replayed sample collide (ON CONFLICT DO NOTHING).

CREATE TABLE pmtu_paths (
    host_key        integer     NOT NULL,
    ts              timestamptz NOT NULL,
    tunnel_mtu      integer     NOT NULL CHECK (tunnel_mtu > 0),
    -- NULL: not even the ladder's floor came back (unreachable, or the prober could not send)
    largest_passed  integer,
    -- NULL: every size up to the tunnel's MTU passed
    smallest_failed integer,
    -- the path MTU an ICMP 'fragmentation needed' told the kernel; NULL when none arrived
    reported_mtu    integer,
    blackholed      boolean     NOT NULL,
    iface           text        NOT NULL,
    peer            text        NOT NULL,
    address         text        NOT NULL,
    PRIMARY KEY (host_key, iface, peer, ts)
) PARTITION BY RANGE (ts);

-- One row per path and bucket: the smallest sizes seen in it (the worst the path did), how many of its samples were
-- black-holed, and its last tunnel MTU and address.
CREATE TABLE pmtu_paths_1m (
    host_key            integer     NOT NULL,
    ts                  timestamptz NOT NULL,
    samples             integer     NOT NULL,
    blackholed_samples  integer     NOT NULL,
    tunnel_mtu          integer     NOT NULL,
    largest_passed_min  integer,
    smallest_failed_min integer,
    reported_mtu_min    integer,
    iface               text        NOT NULL,
    peer                text        NOT NULL,
    address             text        NOT NULL,
    PRIMARY KEY (host_key, iface, peer, ts)
) PARTITION BY RANGE (ts);
CREATE TABLE pmtu_paths_1h (LIKE pmtu_paths_1m INCLUDING ALL) PARTITION BY RANGE (ts);
