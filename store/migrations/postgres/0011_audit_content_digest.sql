-- An event's content is digested once, when its write appends it: content_digest is the
-- SHA-256 of its canonical JSON, in hex. The sealer then chains digests,
-- hash = SHA-256(previous hash ‖ digest), reading no content and copying sealed rows inside
-- the database (issue 16's cap on the write path's cost). Events sealed before this
-- migration, or by an instance that predates it, keep content_digest '' and the hash over
-- the canonical JSON itself; verification knows both.
ALTER TABLE audit_pending ADD COLUMN content_digest TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_events ADD COLUMN content_digest TEXT NOT NULL DEFAULT '';
