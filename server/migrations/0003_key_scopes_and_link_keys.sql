-- What a key may do: full (everything), read (GET only) or links (mint portal links only).
ALTER TABLE api_keys ADD COLUMN scope TEXT NOT NULL DEFAULT 'full';
-- The key that made each link, so that revoking a key ends its links and their sessions.
-- Links made by the command line or the demo have none.
ALTER TABLE link_tokens ADD COLUMN api_key_id TEXT REFERENCES api_keys(id) ON DELETE SET NULL;
CREATE INDEX link_tokens_by_key ON link_tokens (api_key_id);
