-- The vendor's plan catalogue: one JSON document per plan ({name, interval, prices,
-- features, switches_to}), under the vendor's id for it.
CREATE TABLE plans (
    organisation_id TEXT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    id              TEXT NOT NULL,
    document        TEXT NOT NULL,
    updated_at      BIGINT NOT NULL,
    PRIMARY KEY (organisation_id, id)
);
-- A subscription may name its plan in the catalogue, which offers its switches.
ALTER TABLE subscriptions ADD COLUMN plan_id TEXT;
