-- audit_events keyed by seq as SQLite's rowid. Declared BIGINT PRIMARY KEY (0009), seq was a
-- unique index beside the table's own rowid b-tree, so every sealed event was written into
-- one b-tree more than needed; only INTEGER PRIMARY KEY makes the column the rowid. The
-- rows, their order and the occurred_at index are kept as they were.
CREATE TABLE audit_events_by_seq (
    seq            INTEGER PRIMARY KEY CHECK (seq > 0),
    occurred_at    DATETIME NOT NULL,
    api            TEXT NOT NULL,
    operation_id   TEXT NOT NULL,
    actor_kind     TEXT NOT NULL,
    actor_id       TEXT NOT NULL,
    actor_issuer   TEXT NOT NULL,
    actor_client   TEXT NOT NULL,
    request_id     TEXT NOT NULL,
    targets        TEXT NOT NULL,
    changes        TEXT NOT NULL,
    prev_hash      TEXT NOT NULL,
    hash           TEXT NOT NULL,
    content_digest TEXT NOT NULL DEFAULT ''
);
INSERT INTO audit_events_by_seq (seq, occurred_at, api, operation_id, actor_kind, actor_id, actor_issuer,
    actor_client, request_id, targets, changes, prev_hash, hash, content_digest)
SELECT seq, occurred_at, api, operation_id, actor_kind, actor_id, actor_issuer,
    actor_client, request_id, targets, changes, prev_hash, hash, content_digest
FROM audit_events ORDER BY seq;
DROP TABLE audit_events;
ALTER TABLE audit_events_by_seq RENAME TO audit_events;
CREATE INDEX audit_events_occurred_at ON audit_events (occurred_at);
