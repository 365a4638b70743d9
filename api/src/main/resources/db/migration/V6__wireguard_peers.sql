-- WireGuard peers as each collection round saw them (WireguardSample on samples-wireguard), in the raw tier, and
-- rolled up per peer into the 1-minute and 1-hour tiers. Partitioned and retained like the rate tiers
-- (PartitionMaintenance: hourly raw partitions kept TUNNELVISION_API_RETENTION_RAW, daily minute partitions,
-- monthly hour partitions).
--
-- The primary key is the query index ("one host, one interface, one peer, a time range") and makes a replayed
-- sample collide (ON CONFLICT DO NOTHING): a sample is identified by its host and its sample time, which host +
-- boot + sequence imply.

CREATE TABLE wireguard_peers (
    host_key         integer     NOT NULL,
    ts               timestamptz NOT NULL,
    allowed_ips      integer     NOT NULL,
    -- the peer's latest completed handshake, and its age at ts in whole seconds; both NULL when there was none yet
    latest_handshake timestamptz,
    handshake_age_s  integer     CHECK (handshake_age_s >= 0),
    -- the interface's counters as read (not rates): a decrease is a reset of the interface
    rx_bytes         bigint      NOT NULL,
    tx_bytes         bigint      NOT NULL,
    keepalive_s      integer,
    iface            text        NOT NULL,
    peer_key         text        NOT NULL,
    -- host:port or [v6]:port as the kernel has it; NULL before the peer had one. Kept per row: roaming is visible.
    endpoint         text,
    PRIMARY KEY (host_key, iface, peer_key, ts)
) PARTITION BY RANGE (ts);

-- One row per peer and bucket. Rates come from the counter deltas between consecutive samples of the peer, each
-- interval counted in the bucket of its later sample; an interval whose counter decreased (a reset) or that is
-- longer than WireguardDao.MAX_INTERVAL has no rate and adds nothing. rx_seconds / tx_seconds are the time the
-- rate covers, the weight when the hour tier combines minutes. endpoint is the bucket's last one.
CREATE TABLE wireguard_peers_1m (
    host_key            integer     NOT NULL,
    ts                  timestamptz NOT NULL,
    samples             integer     NOT NULL,
    handshake_age_max_s integer,
    rx_bytes_per_s      real,
    tx_bytes_per_s      real,
    rx_seconds          real        NOT NULL,
    tx_seconds          real        NOT NULL,
    iface               text        NOT NULL,
    peer_key            text        NOT NULL,
    endpoint            text,
    PRIMARY KEY (host_key, iface, peer_key, ts)
) PARTITION BY RANGE (ts);
CREATE TABLE wireguard_peers_1h (LIKE wireguard_peers_1m INCLUDING ALL) PARTITION BY RANGE (ts);
