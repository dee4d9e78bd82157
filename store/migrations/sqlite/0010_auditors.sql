-- Auditors (seed field auditor: true) may hold the scope audit.read and read the audit trail.
ALTER TABLE users ADD COLUMN auditor BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE clients ADD COLUMN auditor BOOLEAN NOT NULL DEFAULT FALSE;
