-- Rates in three resolution tiers: the raw per-second rows (kept hours), 1-minute rollups (kept 30 days) and
-- 1-hour rollups (kept a year). Every table is partitioned by range of ts, so retention drops whole partitions
-- instead of deleting rows: one partition per day for the minute tier and latency, per hour for the raw tier (a
-- fleet-day of per-second rows is far larger than the whole budget, so it is kept for hours and must be dropped
-- by the hour), per month for the hour tier. PartitionMaintenance creates them ahead and drops expired ones.
--
-- Why this shape (see api/README.md for the measured sizes):
--  * host_key (int) instead of the host name in every row: 4 bytes instead of about 10, in rows and indexes.
--  * Per-CPU values are arrays indexed by CPU id (element cpu+1; NULL where a CPU was offline), so a 64-CPU
--    gateway writes one row per second per source instead of 64, and the 24-byte row header is paid once.
--  * Only values whose spread over CPUs says something about latency are kept per CPU (NET_RX work, softirq
--    share, NIC IRQs, softnet processed/dropped/squeezed, RPS IPIs, backlog); NET_TX softirqs, other IRQs and
--    flow-limit hits are kept as host totals. Each per-CPU array is 280 bytes at 64 CPUs, per row, per tier.
--  * real (float4) for rates: seven significant digits are more than a per-second rate carries.
--  * Primary keys lead with host_key (then iface) and end with ts: they are the index for "one host, one
--    interface, a time range", and they make replayed records conflict (ON CONFLICT DO NOTHING): a rate record
--    is identified by its host and the sample time of its later sample, which host + boot + sequence imply.

ALTER TABLE hosts ADD COLUMN host_key integer GENERATED ALWAYS AS IDENTITY;
ALTER TABLE hosts ADD CONSTRAINT hosts_host_key_unique UNIQUE (host_key);

-- raw tier ---------------------------------------------------------------------------------------------------

CREATE TABLE link_rates (
    host_key          integer     NOT NULL,
    ts                timestamptz NOT NULL,
    rx_bytes          real,
    rx_packets        real,
    rx_errors         real,
    rx_dropped        real,
    rx_fifo_errors    real,
    rx_over_errors    real,
    rx_frame_errors   real,
    tx_bytes          real,
    tx_packets        real,
    tx_errors         real,
    tx_dropped        real,
    tx_fifo_errors    real,
    tx_carrier_errors real,
    iface             text        NOT NULL,
    PRIMARY KEY (host_key, iface, ts)
) PARTITION BY RANGE (ts);

CREATE TABLE interrupt_rates (
    host_key        integer     NOT NULL,
    ts              timestamptz NOT NULL,
    -- host totals over all CPUs
    net_tx          real,
    irq_other       real,
    net_rx          real[],
    softirq_share   real[],
    -- the sum over the kept IRQ lines (NIC queues, tunnel devices) per CPU
    irq_lines_total real[],
    -- raw tier only: each kept line's label (irq:devices) and its per-CPU rates, a lines x CPUs array
    irq_lines       text[],
    irq_line_rates  real[],
    PRIMARY KEY (host_key, ts)
) PARTITION BY RANGE (ts);

CREATE TABLE softnet_rates (
    host_key     integer     NOT NULL,
    ts           timestamptz NOT NULL,
    -- host total over all CPUs
    flow_limit   real,
    processed    real[],
    dropped      real[],
    time_squeeze real[],
    received_rps real[],
    backlog_len  real[],
    PRIMARY KEY (host_key, ts)
) PARTITION BY RANGE (ts);

CREATE TABLE kernel_rates (
    host_key          integer     NOT NULL,
    ts                timestamptz NOT NULL,
    udp_rcvbuf_errors real,
    udp_sndbuf_errors real,
    udp_in_errors     real,
    ip_frag_creates   real,
    ip_frag_fails     real,
    ip_reasm_reqds    real,
    ip_reasm_fails    real,
    PRIMARY KEY (host_key, ts)
) PARTITION BY RANGE (ts);

-- rollup tiers: the same values averaged over the bucket; samples says how many raw rows went in.
-- Per-CPU averages are stored as smallints and one scale per array (value = element * scale, the scale being the
-- array's largest magnitude / 32767): half the bytes of real[], with an error under 0.002 % of the busiest CPU's
-- value, which no chart can show. These tiers hold 30 days to a year, so their row size is the budget.

CREATE TABLE link_rates_1m (
    host_key          integer     NOT NULL,
    ts                timestamptz NOT NULL,
    samples           integer     NOT NULL,
    rx_bytes          real,
    rx_packets        real,
    rx_errors         real,
    rx_dropped        real,
    rx_fifo_errors    real,
    rx_over_errors    real,
    rx_frame_errors   real,
    tx_bytes          real,
    tx_packets        real,
    tx_errors         real,
    tx_dropped        real,
    tx_fifo_errors    real,
    tx_carrier_errors real,
    iface             text        NOT NULL,
    PRIMARY KEY (host_key, iface, ts)
) PARTITION BY RANGE (ts);
CREATE TABLE link_rates_1h (LIKE link_rates_1m INCLUDING ALL) PARTITION BY RANGE (ts);

CREATE TABLE interrupt_rates_1m (
    host_key        integer     NOT NULL,
    ts              timestamptz NOT NULL,
    samples         integer     NOT NULL,
    net_tx                real,
    irq_other             real,
    net_rx_scale          real,
    softirq_share_scale   real,
    irq_lines_total_scale real,
    net_rx                smallint[],
    softirq_share         smallint[],
    irq_lines_total       smallint[],
    PRIMARY KEY (host_key, ts)
) PARTITION BY RANGE (ts);
CREATE TABLE interrupt_rates_1h (LIKE interrupt_rates_1m INCLUDING ALL) PARTITION BY RANGE (ts);

CREATE TABLE softnet_rates_1m (
    host_key     integer     NOT NULL,
    ts           timestamptz NOT NULL,
    samples      integer     NOT NULL,
    flow_limit         real,
    processed_scale    real,
    dropped_scale      real,
    time_squeeze_scale real,
    received_rps_scale real,
    backlog_len_scale  real,
    processed          smallint[],
    dropped            smallint[],
    time_squeeze       smallint[],
    received_rps       smallint[],
    backlog_len        smallint[],
    PRIMARY KEY (host_key, ts)
) PARTITION BY RANGE (ts);
CREATE TABLE softnet_rates_1h (LIKE softnet_rates_1m INCLUDING ALL) PARTITION BY RANGE (ts);

CREATE TABLE kernel_rates_1m (
    host_key          integer     NOT NULL,
    ts                timestamptz NOT NULL,
    samples           integer     NOT NULL,
    udp_rcvbuf_errors real,
    udp_sndbuf_errors real,
    udp_in_errors     real,
    ip_frag_creates   real,
    ip_frag_fails     real,
    ip_reasm_reqds    real,
    ip_reasm_fails    real,
    PRIMARY KEY (host_key, ts)
) PARTITION BY RANGE (ts);
CREATE TABLE kernel_rates_1h (LIKE kernel_rates_1m INCLUDING ALL) PARTITION BY RANGE (ts);

-- Quantization of per-CPU arrays for the rollup tiers (see above); NULL elements (offline CPUs) stay NULL.
CREATE FUNCTION tv_scale(v real[]) RETURNS real
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT CASE WHEN max(abs(x)) > 0 THEN (max(abs(x)) / 32767)::real ELSE 1 END FROM unnest(v) x $$;

CREATE FUNCTION tv_quantize(v real[], scale real) RETURNS smallint[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT array_agg(greatest(-32767, least(32767, round(x / scale)))::smallint ORDER BY i)
          FROM unnest(v) WITH ORDINALITY AS u(x, i) $$;

-- Probe results, one row per peer, path and probe size; one tier, partitioned by day like the rest.
CREATE TABLE latency_samples (
    host_key     integer     NOT NULL,
    ts           timestamptz NOT NULL,
    size_bytes   integer     NOT NULL,
    sent         integer     NOT NULL,
    received     integer     NOT NULL,
    rtt_min_us   integer,
    rtt_avg_us   integer,
    rtt_max_us   integer,
    jitter_us    integer,
    loss_ratio   real        NOT NULL,
    path         text        NOT NULL CHECK (path IN ('OVERLAY', 'UNDERLAY')),
    peer         text        NOT NULL,
    tunnel_iface text,
    address      text        NOT NULL,
    PRIMARY KEY (host_key, peer, ts, path, size_bytes)
) PARTITION BY RANGE (ts);

-- How far each tier has been rolled up, so the rollup job knows where to continue after a restart.
CREATE TABLE rollup_progress (
    target_table text        PRIMARY KEY,
    rolled_until timestamptz NOT NULL
);
