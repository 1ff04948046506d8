-- Rate-limit counters shared by every instance on the database: one row per limit and
-- key, holding the hits of its current window.
CREATE TABLE rate_limit_hits (
    name TEXT NOT NULL,
    key TEXT NOT NULL,
    window_start BIGINT NOT NULL,
    hits BIGINT NOT NULL,
    PRIMARY KEY (name, key)
);

CREATE INDEX rate_limit_hits_by_window ON rate_limit_hits (window_start);
