-- Portico's whole data model on {{dialect}}.
-- Ids are UUID strings made by the server; instants are Unix epoch milliseconds (UTC), so
-- that the SQL the two backends share compares and pages identically; calendar dates
-- (due dates, billing periods) are {{date_stored_as}}; money is BIGINT minor units plus an ISO 4217 code.

CREATE TABLE organisations (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    settings    TEXT NOT NULL DEFAULT '{}',
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);

CREATE TABLE organisation_logos (
    organisation_id TEXT PRIMARY KEY REFERENCES organisations(id) ON DELETE CASCADE,
    content_type    TEXT NOT NULL,
    content         {{bytes}} NOT NULL,
    updated_at      BIGINT NOT NULL
);

CREATE TABLE api_keys (
    id              TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    prefix          TEXT NOT NULL,
    key_hash        {{bytes}} NOT NULL UNIQUE,
    label           TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    last_used_at    BIGINT,
    revoked_at      BIGINT
);
CREATE INDEX api_keys_by_org ON api_keys (organisation_id, prefix);

CREATE TABLE customers (
    id                  TEXT PRIMARY KEY,
    organisation_id     TEXT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    external_id         TEXT NOT NULL,
    name                TEXT NOT NULL,
    email               TEXT,
    phone               TEXT,
    tax_id              TEXT,
    address_line1       TEXT,
    address_line2       TEXT,
    address_postal_code TEXT,
    address_city        TEXT,
    address_region      TEXT,
    address_country     TEXT,
    locale              TEXT,
    created_at          BIGINT NOT NULL,
    updated_at          BIGINT NOT NULL,
    UNIQUE (organisation_id, external_id)
);

CREATE TABLE invoices (
    id              TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    customer_id     TEXT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    external_id     TEXT NOT NULL,
    number          TEXT NOT NULL,
    status          TEXT NOT NULL,
    currency        TEXT NOT NULL,
    total           BIGINT NOT NULL,
    amount_due      BIGINT NOT NULL,
    due_date        {{date}},
    period_start    {{date}},
    period_end      {{date}},
    issued_at       BIGINT NOT NULL,
    pdf_url         TEXT,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    UNIQUE (organisation_id, external_id)
);
-- The portal lists a customer's invoices newest first, paged by (issued_at, id).
CREATE INDEX invoices_by_customer ON invoices (organisation_id, customer_id, issued_at DESC, id DESC);

CREATE TABLE invoice_lines (
    invoice_id   TEXT NOT NULL REFERENCES invoices(id) ON DELETE CASCADE,
    position     INTEGER NOT NULL,
    description  TEXT NOT NULL,
    quantity     BIGINT NOT NULL,
    unit_amount  BIGINT NOT NULL,
    amount       BIGINT NOT NULL,
    period_start {{date}},
    period_end   {{date}},
    PRIMARY KEY (invoice_id, position)
);

CREATE TABLE invoice_pdfs (
    invoice_id  TEXT PRIMARY KEY REFERENCES invoices(id) ON DELETE CASCADE,
    content     {{bytes}} NOT NULL,
    uploaded_at BIGINT NOT NULL
);

CREATE TABLE credit_notes (
    id              TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    customer_id     TEXT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    invoice_id      TEXT REFERENCES invoices(id) ON DELETE SET NULL,
    external_id     TEXT NOT NULL,
    number          TEXT NOT NULL,
    status          TEXT NOT NULL,
    currency        TEXT NOT NULL,
    total           BIGINT NOT NULL,
    reason          TEXT,
    issued_at       BIGINT NOT NULL,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    UNIQUE (organisation_id, external_id)
);
CREATE INDEX credit_notes_by_customer ON credit_notes (organisation_id, customer_id, issued_at DESC, id DESC);

CREATE TABLE payments (
    id              TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    customer_id     TEXT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    invoice_id      TEXT REFERENCES invoices(id) ON DELETE SET NULL,
    external_id     TEXT NOT NULL,
    kind            TEXT NOT NULL,
    status          TEXT NOT NULL,
    method          TEXT NOT NULL,
    currency        TEXT NOT NULL,
    amount          BIGINT NOT NULL,
    paid_at         BIGINT NOT NULL,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    UNIQUE (organisation_id, external_id)
);
CREATE INDEX payments_by_customer ON payments (organisation_id, customer_id, paid_at DESC, id DESC);
CREATE INDEX payments_by_invoice ON payments (invoice_id);

CREATE TABLE entitlements (
    id              TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    customer_id     TEXT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    external_id     TEXT NOT NULL,
    feature         TEXT NOT NULL,
    limit_value     BIGINT,
    usage           BIGINT NOT NULL,
    unit            TEXT NOT NULL,
    valid_from      {{date}} NOT NULL,
    valid_until     {{date}},
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    UNIQUE (organisation_id, external_id)
);
CREATE INDEX entitlements_by_customer ON entitlements (organisation_id, customer_id);

CREATE TABLE subscriptions (
    id                   TEXT PRIMARY KEY,
    organisation_id      TEXT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    customer_id          TEXT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    external_id          TEXT NOT NULL,
    plan                 TEXT NOT NULL,
    status               TEXT NOT NULL,
    currency             TEXT NOT NULL,
    amount               BIGINT NOT NULL,
    billing_interval     TEXT NOT NULL,
    current_period_start {{date}} NOT NULL,
    current_period_end   {{date}} NOT NULL,
    renews_at            {{date}},
    cancel_at_period_end {{bool}} NOT NULL DEFAULT {{false}},
    cancelled_at         BIGINT,
    created_at           BIGINT NOT NULL,
    updated_at           BIGINT NOT NULL,
    UNIQUE (organisation_id, external_id)
);
CREATE INDEX subscriptions_by_customer ON subscriptions (organisation_id, customer_id);

CREATE TABLE payment_methods (
    id              TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    customer_id     TEXT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    external_id     TEXT NOT NULL,
    kind            TEXT NOT NULL,
    brand           TEXT,
    last4           TEXT,
    exp_month       INTEGER,
    exp_year        INTEGER,
    is_default      {{bool}} NOT NULL DEFAULT {{false}},
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    UNIQUE (organisation_id, external_id)
);
CREATE INDEX payment_methods_by_customer ON payment_methods (organisation_id, customer_id);

-- One-time portal links. Only the SHA-256 of the token is kept.
CREATE TABLE link_tokens (
    id                TEXT PRIMARY KEY,
    organisation_id   TEXT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    customer_id       TEXT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    token_hash        {{bytes}} NOT NULL UNIQUE,
    return_url        TEXT,
    locale            TEXT,
    section           TEXT,
    idle_timeout_secs BIGINT NOT NULL,
    expires_at        BIGINT NOT NULL,
    used_at           BIGINT,
    revoked_at        BIGINT,
    created_at        BIGINT NOT NULL
);
CREATE INDEX link_tokens_by_customer ON link_tokens (organisation_id, customer_id, created_at DESC);

-- Portal sessions made by exchanging a link. Only the SHA-256 of the token is kept.
CREATE TABLE sessions (
    id                TEXT PRIMARY KEY,
    organisation_id   TEXT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    customer_id       TEXT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    link_id           TEXT NOT NULL REFERENCES link_tokens(id) ON DELETE CASCADE,
    token_hash        {{bytes}} NOT NULL UNIQUE,
    locale            TEXT,
    idle_timeout_secs BIGINT NOT NULL,
    created_at        BIGINT NOT NULL,
    last_seen_at      BIGINT NOT NULL,
    expires_at        BIGINT NOT NULL,
    ended_at          BIGINT,
    end_reason        TEXT
);
CREATE INDEX sessions_by_link ON sessions (link_id);

-- Audit log and webhook outbox in one: every customer action and vendor change is an event.
CREATE TABLE events (
    id              TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    customer_id     TEXT REFERENCES customers(id) ON DELETE SET NULL,
    kind            TEXT NOT NULL,
    payload         TEXT NOT NULL,
    created_at      BIGINT NOT NULL
);
CREATE INDEX events_by_org ON events (organisation_id, created_at, id);

CREATE TABLE webhook_endpoints (
    id              TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    url             TEXT NOT NULL,
    secret          TEXT NOT NULL,
    event_kinds     TEXT NOT NULL DEFAULT '[]',
    enabled         {{bool}} NOT NULL DEFAULT {{true}},
    created_at      BIGINT NOT NULL
);

CREATE TABLE webhook_deliveries (
    id               TEXT PRIMARY KEY,
    endpoint_id      TEXT NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
    event_id         TEXT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    status           TEXT NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  BIGINT,
    last_status_code INTEGER,
    last_error       TEXT,
    created_at       BIGINT NOT NULL,
    delivered_at     BIGINT,
    UNIQUE (endpoint_id, event_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
