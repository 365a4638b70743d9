-- Alerts: transitions derived by ingest (and by the agent-silence job) in the same transaction that stores the
-- record they come from, and an outbox of their deliveries to Alertmanager and the webhook. Two api instances
-- share these tables: a transition is one row of alert_events whatever redelivers the record (the dedupe key is
-- unique), and each delivery row is claimed by one sender at a time (FOR UPDATE SKIP LOCKED).

CREATE TABLE alert_events (
    event_id        bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- what happened, e.g. hotspot-opened:<hotspot id>; the same transition always gets the same key
    dedupe_key      text        NOT NULL,
    -- the alert it opens, changes or ends, e.g. hotspot:<hotspot id>: deliveries of one alert go in order
    alert_key       text        NOT NULL,
    kind            text        NOT NULL,
    host_id         text,
    severity        text        NOT NULL,
    -- Alertmanager's view: the label set of the alert, and for an escalation the one it replaces
    labels          jsonb       NOT NULL,
    previous_labels jsonb,
    annotations     jsonb       NOT NULL,
    generator_url   text,
    -- the webhook's body without the fields the sender adds (delivery time)
    body            jsonb       NOT NULL,
    starts_at       timestamptz NOT NULL,
    ends_at         timestamptz,
    occurred_at     timestamptz NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT alert_events_dedupe_key UNIQUE (dedupe_key)
);
CREATE INDEX alert_events_by_time ON alert_events (occurred_at DESC);

-- One row per event and target (alertmanager, webhook) configured when the event was stored.
CREATE TABLE alert_deliveries (
    event_id        bigint      NOT NULL REFERENCES alert_events ON DELETE CASCADE,
    target          text        NOT NULL,
    alert_key       text        NOT NULL,
    attempts        integer     NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL,
    delivered_at    timestamptz,
    abandoned_at    timestamptz,
    last_error      text,
    PRIMARY KEY (event_id, target)
);
CREATE INDEX alert_deliveries_pending ON alert_deliveries (target, event_id)
    WHERE delivered_at IS NULL AND abandoned_at IS NULL;
CREATE INDEX alert_deliveries_pending_by_alert ON alert_deliveries (target, alert_key, event_id)
    WHERE delivered_at IS NULL AND abandoned_at IS NULL;

-- Alerts that are firing now (open hotspots, silent agents): Alertmanager forgets an alert that is not sent again
-- before its endsAt, so the senders re-send these every resend interval until the transition that ends them.
CREATE TABLE alert_firing (
    alert_key      text        PRIMARY KEY,
    labels         jsonb       NOT NULL,
    annotations    jsonb       NOT NULL,
    generator_url  text,
    starts_at      timestamptz NOT NULL,
    next_resend_at timestamptz NOT NULL
);

-- Agents the silence job found silent: the sample time they went quiet at names the episode.
CREATE TABLE agent_silences (
    host_id      text        PRIMARY KEY,
    last_seen    timestamptz NOT NULL,
    silent_since timestamptz NOT NULL
);
