-- Egress queues (QdiscSample on samples-qdisc, one every 30 rounds and after a command):
-- every qdisc of every interface, root and children, as tc -s qdisc shows it, and the byte queue limits of each
-- transmit queue that has them. One row per sample and qdisc (or tx queue) in the raw tier, rolled up per qdisc (tx
-- queue) into the 1-minute and 1-hour tiers. Partitioned and retained like the rate tiers (PartitionMaintenance).
--
-- A qdisc is identified on its interface by its parent and its handle, as the rules' QdiscRateCalculator does: the
-- children of an mq root all have handle 0: and differ by parent (:1, :2, ...). parent is '' for the root. The raw
-- tier keeps the counters as read (the kernel's struct gnet_stats_queue holds drops, overlimits, requeues, qlen and
-- backlog as 32-bit unsigned ints, gnet_stats_basic bytes as a 64-bit one); rates are the counter deltas between
-- consecutive samples of the qdisc (QdiscDao), as for the WireGuard peers. The primary key is the query index and makes
-- a replayed sample collide (ON CONFLICT DO NOTHING).

CREATE TABLE qdiscs (
    host_key        integer     NOT NULL,
    ts              timestamptz NOT NULL,
    bytes           bigint      NOT NULL CHECK (bytes >= 0),
    packets         bigint      NOT NULL CHECK (packets >= 0),
    drops           bigint      NOT NULL CHECK (drops >= 0),
    overlimits      bigint      NOT NULL CHECK (overlimits >= 0),
    requeues        bigint      NOT NULL CHECK (requeues >= 0),
    backlog_bytes   bigint      NOT NULL CHECK (backlog_bytes >= 0),
    backlog_packets bigint      NOT NULL CHECK (backlog_packets >= 0),
    iface           text        NOT NULL,
    parent          text        NOT NULL,
    handle          text        NOT NULL,
    kind            text        NOT NULL,
    PRIMARY KEY (host_key, iface, parent, handle, ts)
) PARTITION BY RANGE (ts);

-- One row per qdisc and bucket. A rate is the sum of the counter's deltas over the sum of the seconds of the intervals
-- that have one (rate_seconds): an interval across a reset (bytes went down, or the kind changed: the qdisc was
-- replaced) or longer than 15 minutes (the agent was away) has none; a 32-bit counter that went down wrapped, as the
-- rules' Counters.delta32 takes it. NULL: no interval of the bucket had a rate. The hour tier weighs each minute's
-- rates by their rate_seconds and its backlog averages by samples.
CREATE TABLE qdiscs_1m (
    host_key            integer     NOT NULL,
    ts                  timestamptz NOT NULL,
    samples             integer     NOT NULL,
    rate_seconds        real        NOT NULL,
    bytes_per_s         real,
    drops_per_s         real,
    overlimits_per_s    real,
    requeues_per_s      real,
    backlog_bytes_avg   real        NOT NULL,
    backlog_bytes_max   bigint      NOT NULL,
    backlog_packets_avg real        NOT NULL,
    backlog_packets_max bigint      NOT NULL,
    iface               text        NOT NULL,
    parent              text        NOT NULL,
    handle              text        NOT NULL,
    -- the bucket's last kind
    kind                text        NOT NULL,
    PRIMARY KEY (host_key, iface, parent, handle, ts)
) PARTITION BY RANGE (ts);
CREATE TABLE qdiscs_1h (LIKE qdiscs_1m INCLUDING ALL) PARTITION BY RANGE (ts);

-- Byte queue limits (/sys/class/net/IFACE/queues/tx-N/byte_queue_limits) of each transmit queue that has them; a
-- queue whose driver has no BQL is not stored. Gauges: the limit the kernel's dynamic queue limits set now, the bytes
-- in flight to the device, and limit_max (the ceiling, a setting).
CREATE TABLE tx_queues (
    host_key      integer     NOT NULL,
    ts            timestamptz NOT NULL,
    queue         integer     NOT NULL CHECK (queue >= 0),
    bql_limit     bigint      CHECK (bql_limit >= 0),
    bql_inflight  bigint      CHECK (bql_inflight >= 0),
    bql_limit_max bigint      CHECK (bql_limit_max >= 0),
    iface         text        NOT NULL,
    PRIMARY KEY (host_key, iface, queue, ts)
) PARTITION BY RANGE (ts);

-- One row per tx queue and bucket: the limit's average and smallest value, the bytes in flight on average and at most,
-- and the bucket's last limit_max.
CREATE TABLE tx_queues_1m (
    host_key          integer     NOT NULL,
    ts                timestamptz NOT NULL,
    samples           integer     NOT NULL,
    queue             integer     NOT NULL,
    bql_limit_avg     real,
    bql_limit_min     bigint,
    bql_inflight_avg  real,
    bql_inflight_max  bigint,
    bql_limit_max     bigint,
    iface             text        NOT NULL,
    PRIMARY KEY (host_key, iface, queue, ts)
) PARTITION BY RANGE (ts);
CREATE TABLE tx_queues_1h (LIKE tx_queues_1m INCLUDING ALL) PARTITION BY RANGE (ts);
