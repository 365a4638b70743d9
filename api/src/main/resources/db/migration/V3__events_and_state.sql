-- What happened rather than how much: hotspots, tuning commands with their decisions, results and verdicts,
-- and the settings of interfaces and kernels as they change. These tables are small (rows per event or per
-- change, not per second), so they are not partitioned.

-- The latest state of each hotspot; its lifecycle messages update the row, never move it back in time.
CREATE TABLE hotspots (
    hotspot_id   text        PRIMARY KEY,
    scope        text        NOT NULL,
    host_id      text,
    type         text        NOT NULL,
    severity     text        NOT NULL,
    state        text        NOT NULL,
    target       text,
    summary      text        NOT NULL,
    evidence     jsonb       NOT NULL,
    hosts        text[]      NOT NULL,
    window_start timestamptz NOT NULL,
    window_end   timestamptz NOT NULL,
    opened_at    timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL,
    closed_at    timestamptz
);
CREATE INDEX hotspots_by_host ON hotspots (host_id, opened_at DESC);
CREATE INDEX hotspots_by_time ON hotspots (opened_at DESC, hotspot_id);
CREATE INDEX hotspots_open ON hotspots (type, host_id) WHERE state = 'OPEN';
-- Fleet hotspots name their gateways in hosts; "hotspots of host X" looks there too.
CREATE INDEX hotspots_by_member ON hotspots USING gin (hosts);

-- A command as the planner issued it, from the proposals topic (approval mode) and/or the commands topic.
CREATE TABLE commands (
    command_id     text        PRIMARY KEY,
    host_id        text        NOT NULL,
    sequence       bigint      NOT NULL,
    issued_at      timestamptz NOT NULL,
    expires_at     timestamptz NOT NULL,
    action         text        NOT NULL,
    target         text        NOT NULL,
    new_value      text        NOT NULL,
    expected_value text        NOT NULL,
    hotspot_id     text,
    reason         text        NOT NULL,
    dry_run        boolean     NOT NULL,
    rollback_of    text,
    key_id         text        NOT NULL,
    proposed       boolean     NOT NULL DEFAULT false,
    published      boolean     NOT NULL DEFAULT false
);
CREATE INDEX commands_by_host ON commands (host_id, issued_at DESC, command_id);
CREATE INDEX commands_by_time ON commands (issued_at DESC, command_id);

CREATE TABLE command_decisions (
    command_id text        PRIMARY KEY,
    host_id    text        NOT NULL,
    decision   text        NOT NULL CHECK (decision IN ('APPROVE', 'REJECT')),
    operator   text        NOT NULL,
    reason     text,
    decided_at timestamptz NOT NULL
);

-- One row per command and status: an agent reports a command once per state it reaches (APPLIED, later
-- ROLLED_BACK); a replayed report of the same state leaves the row as it is.
CREATE TABLE command_results (
    command_id    text        NOT NULL,
    status        text        NOT NULL,
    host_id       text        NOT NULL,
    reason        text,
    value_before  text,
    value_after   text,
    reported_at   timestamptz NOT NULL,
    agent_version text,
    PRIMARY KEY (command_id, status)
);

CREATE TABLE command_outcomes (
    command_id          text             PRIMARY KEY,
    host_id             text             NOT NULL,
    hotspot_id          text,
    verdict             text             NOT NULL,
    metric              text             NOT NULL,
    value_before        double precision NOT NULL,
    value_after         double precision NOT NULL,
    rollback_command_id text,
    decided_at          timestamptz      NOT NULL
);

-- Where a command stands, from everything known about it. Verdicts beat results, results beat decisions.
CREATE VIEW command_status AS
SELECT c.command_id,
       CASE
           WHEN o.verdict IN ('VERIFIED', 'ROLLED_BACK', 'INCONCLUSIVE') THEN lower(o.verdict)
           WHEN r.status = 'REJECTED' THEN 'refused'
           WHEN r.status IS NOT NULL AND r.status <> 'UNKNOWN' THEN lower(r.status)
           WHEN d.decision = 'REJECT' THEN 'rejected'
           WHEN c.published THEN 'issued'
           WHEN d.decision = 'APPROVE' THEN 'approved'
           ELSE 'proposed'
       END AS status
FROM commands c
LEFT JOIN command_outcomes o ON o.command_id = c.command_id
LEFT JOIN command_decisions d ON d.command_id = c.command_id
LEFT JOIN LATERAL (
    SELECT status FROM command_results cr
    WHERE cr.command_id = c.command_id
    ORDER BY cr.reported_at DESC, cr.status
    LIMIT 1) r ON true;

-- Interface settings as they change: a sample equal to the row before it adds nothing.
CREATE TABLE interface_configs (
    host_key     integer     NOT NULL,
    valid_from   timestamptz NOT NULL,
    ifindex      integer     NOT NULL,
    mtu          integer     NOT NULL,
    tx_queue_len integer     NOT NULL,
    iface        text        NOT NULL,
    kind         text        NOT NULL,
    oper_state   text        NOT NULL,
    rx_queues    jsonb       NOT NULL,
    underlay     text,
    PRIMARY KEY (host_key, iface, valid_from)
);

CREATE TABLE kernel_settings (
    host_key              integer     NOT NULL,
    valid_from            timestamptz NOT NULL,
    rmem_max              bigint,
    wmem_max              bigint,
    netdev_budget         bigint,
    netdev_budget_usecs   bigint,
    netdev_max_backlog    bigint,
    rps_sock_flow_entries bigint,
    rp_filter             jsonb       NOT NULL,
    cpu_governors         jsonb       NOT NULL,
    PRIMARY KEY (host_key, valid_from)
);
