-- Webhooks that deliver. The tables of 0001 were never written to; they are replaced.
DROP TABLE webhook_deliveries;
DROP TABLE webhook_endpoints;

-- Where an organisation wants its events sent. `event_types` is a JSON array of event
-- types, or ["*"]. While a secret is rotated, the previous one keeps signing until
-- `previous_secret_expires_at`.
CREATE TABLE webhook_endpoints (
    id                         TEXT PRIMARY KEY,
    organisation_id            TEXT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    url                        TEXT NOT NULL,
    description                TEXT,
    event_types                TEXT NOT NULL,
    enabled                    {{bool}} NOT NULL,
    secret                     TEXT NOT NULL,
    previous_secret            TEXT,
    previous_secret_expires_at BIGINT,
    -- The first failed attempt since the last success; cleared by a success.
    failing_since              BIGINT,
    disabled_reason            TEXT,
    created_at                 BIGINT NOT NULL,
    updated_at                 BIGINT NOT NULL
);
CREATE INDEX webhook_endpoints_by_org ON webhook_endpoints (organisation_id, created_at);

-- One event for one endpoint: written with the event, in its transaction, so that
-- nothing is lost. A worker claims a due delivery until `claimed_until`, under
-- `claim`; a claim that lapses (the worker died) is taken up again.
CREATE TABLE webhook_deliveries (
    id               TEXT PRIMARY KEY,
    organisation_id  TEXT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    endpoint_id      TEXT NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
    event_id         TEXT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    status           TEXT NOT NULL,
    attempts         INTEGER NOT NULL,
    next_attempt_at  BIGINT,
    claim            TEXT,
    claimed_until    BIGINT,
    last_attempt_at  BIGINT,
    last_status_code INTEGER,
    last_error       TEXT,
    last_latency_ms  BIGINT,
    created_at       BIGINT NOT NULL,
    delivered_at     BIGINT,
    UNIQUE (endpoint_id, event_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX webhook_deliveries_by_endpoint ON webhook_deliveries (endpoint_id, created_at);

-- Sessions that lapse (idle or past their lifetime) are ended by a sweep, in this order.
CREATE INDEX sessions_open ON sessions (ended_at, expires_at);
