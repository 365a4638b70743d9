-- NICs (NicSample on samples-nic: the counters every 30 rounds, with the settings as last read, which the agent reads
-- every 300 rounds and after a command): one row per sample and NIC in the raw tier, rolled up per NIC into the
-- 1-minute and 1-hour tiers. Partitioned and retained like the rate tiers (PartitionMaintenance).
--
-- Settings as ethtool reports them, NULL where the device reports none (veth has no rings or coalescing): rings (-g)
-- and their maxima, channels (-l) and their maxima, coalescing (-c), and the offloads worth showing (-k, NicDao.OFFLOADS)
-- as two lists, on and off. Counters (-S, under the agent's normalised names, NULL where the driver has none) as
-- read; per-queue drops as arrays indexed by queue (element queue + 1, NULL for a queue that reports none). Rates are
-- the counter deltas between consecutive samples of the NIC (NicDao), as for the qdiscs. The primary key is the query
-- index and makes a replayed sample collide (ON CONFLICT DO NOTHING).

CREATE TABLE nics (
    host_key              integer     NOT NULL,
    ts                    timestamptz NOT NULL,
    rx_ring               integer,
    rx_ring_max           integer,
    tx_ring               integer,
    tx_ring_max           integer,
    combined_channels     integer,
    combined_channels_max integer,
    rx_channels           integer,
    rx_channels_max       integer,
    rx_usecs              integer,
    rx_frames             integer,
    tx_usecs              integer,
    adaptive_rx           boolean,
    rx_missed             bigint CHECK (rx_missed >= 0),
    rx_no_buffer          bigint CHECK (rx_no_buffer >= 0),
    rx_dropped            bigint CHECK (rx_dropped >= 0),
    tx_dropped            bigint CHECK (tx_dropped >= 0),
    queue_rx_drops        bigint[],
    queue_tx_drops        bigint[],
    iface                 text        NOT NULL,
    driver                text,
    -- of NicDao.OFFLOADS, those the device reports on and those it reports off (one not reported is in neither)
    offloads_on           text[]      NOT NULL,
    offloads_off          text[]      NOT NULL,
    PRIMARY KEY (host_key, iface, ts)
) PARTITION BY RANGE (ts);

-- One row per NIC and bucket: the device-wide drop counters' rates (the deltas over the seconds of the intervals that
-- have them: none across a counter that went down, a driver reload, or a gap over 15 minutes; NULL when no interval of
-- the bucket had one, or the driver has no such counter), the seconds they cover, and the bucket's last settings.
-- Per-queue drops stay in the raw tier.
CREATE TABLE nics_1m (
    host_key              integer     NOT NULL,
    ts                    timestamptz NOT NULL,
    samples               integer     NOT NULL,
    rate_seconds          real        NOT NULL,
    rx_missed_per_s       real,
    rx_no_buffer_per_s    real,
    rx_dropped_per_s      real,
    tx_dropped_per_s      real,
    rx_ring               integer,
    rx_ring_max           integer,
    combined_channels     integer,
    combined_channels_max integer,
    rx_channels           integer,
    rx_channels_max       integer,
    rx_usecs              integer,
    adaptive_rx           boolean,
    iface                 text        NOT NULL,
    PRIMARY KEY (host_key, iface, ts)
) PARTITION BY RANGE (ts);
CREATE TABLE nics_1h (LIKE nics_1m INCLUDING ALL) PARTITION BY RANGE (ts);
