-- Maintenance (partitions, rollups) that several api instances share: each job runs under an advisory lock, and
-- its last finished run is kept here, so that the instances together run it once per interval rather than once
-- per interval each. Times are the database's clock (now()), the one clock the instances share.
CREATE TABLE maintenance_runs (
    job         text        PRIMARY KEY,
    started_at  timestamptz NOT NULL,
    finished_at timestamptz NOT NULL,
    -- the api instance that ran it (TUNNELVISION_API_INSTANCE, else the host name)
    ran_by      text        NOT NULL,
    CONSTRAINT maintenance_runs_in_order CHECK (finished_at >= started_at)
);
