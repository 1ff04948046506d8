-- The credit a customer holds with the vendor, per currency, as the vendor pushes it, with
-- its movements: JSON, a list of {amount, description, created_at}, newest first.
CREATE TABLE credit_balances (
    organisation_id TEXT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    customer_id     TEXT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    currency        TEXT NOT NULL,
    amount          BIGINT NOT NULL,
    transactions    TEXT,
    updated_at      BIGINT NOT NULL,
    PRIMARY KEY (organisation_id, customer_id, currency)
);
