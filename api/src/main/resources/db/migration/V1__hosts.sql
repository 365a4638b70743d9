-- One row per gateway that ever sent a sample: the first table every later part joins against.
-- Times are the agent's sample times, not arrival times, so a replayed or late record cannot make a
-- host look fresher than it is.
CREATE TABLE hosts (
    host_id       text        PRIMARY KEY,
    boot_id       text        NOT NULL,
    agent_version text        NOT NULL,
    first_seen    timestamptz NOT NULL,
    last_seen     timestamptz NOT NULL,
    last_sequence bigint      NOT NULL,
    CONSTRAINT hosts_host_id_not_empty CHECK (host_id <> ''),
    CONSTRAINT hosts_seen_in_order CHECK (last_seen >= first_seen)
);
