-- The audit trail (issue 16). A write appends its event to audit_pending in its own
-- transaction: one INSERT, no lock, so unrelated writes never wait for each other. The
-- sealer (Store.SealAuditEvents) then numbers committed events gaplessly, hashes each into
-- the chain (SHA-256 of the previous hash and the event's canonical JSON) and moves them
-- into audit_events, under the lock of audit_chain's single row, the chain's head.
CREATE TABLE audit_pending (
    id           INTEGER PRIMARY KEY,  -- a rowid: ids only tell pending events apart until sealed
    occurred_at  DATETIME NOT NULL,
    api          TEXT NOT NULL,
    operation_id TEXT NOT NULL,
    actor_kind   TEXT NOT NULL,
    actor_id     TEXT NOT NULL,
    actor_issuer TEXT NOT NULL,
    actor_client TEXT NOT NULL,
    request_id   TEXT NOT NULL,
    targets      TEXT NOT NULL,
    changes      TEXT NOT NULL
);

CREATE TABLE audit_events (
    seq          BIGINT PRIMARY KEY CHECK (seq > 0),
    occurred_at  DATETIME NOT NULL,
    api          TEXT NOT NULL,
    operation_id TEXT NOT NULL,
    actor_kind   TEXT NOT NULL,
    actor_id     TEXT NOT NULL,
    actor_issuer TEXT NOT NULL,
    actor_client TEXT NOT NULL,
    request_id   TEXT NOT NULL,
    targets      TEXT NOT NULL,
    changes      TEXT NOT NULL,
    prev_hash    TEXT NOT NULL,
    hash         TEXT NOT NULL
);
CREATE INDEX audit_events_occurred_at ON audit_events (occurred_at);
-- No other index, and no lookup table of targets: every row and index entry an event adds
-- is written once more per write (measured on the write path's throughput). The target
-- filter searches the targets column (strpos/instr), on the auditors' reads.

-- The chain's head (the last sealed event) and its checkpoint, pruned_seq and pruned_hash (the last pruned event, from
-- which verification starts); 0 and 64 zeros before any.
CREATE TABLE audit_chain (
    id              INTEGER PRIMARY KEY CHECK (id = 1),
    last_seq        BIGINT NOT NULL,
    last_hash       TEXT NOT NULL,
    pruned_seq  BIGINT NOT NULL,
    pruned_hash TEXT NOT NULL
);
INSERT INTO audit_chain (id, last_seq, last_hash, pruned_seq, pruned_hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000',
        0, '0000000000000000000000000000000000000000000000000000000000000000');
