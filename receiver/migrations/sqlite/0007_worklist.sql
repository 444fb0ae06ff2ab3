-- The worklist (issue 22): who must act on each connection, and since when; see
-- receiver/README.md ("The worklist"). The same on both engines. Rows stored before this
-- migration get their values when the receiver starts (Store::open), from the record.

-- The record's status, as Nectar spells it.
ALTER TABLE connections ADD COLUMN status       TEXT;
-- Who must act for it (the library's remediation's actor: end_user, integrator, nectar,
-- nobody); NULL for a status the library does not know.
ALTER TABLE connections ADD COLUMN needs        TEXT;
-- When the receiver first observed the connection in this status (Unix ms).
ALTER TABLE connections ADD COLUMN status_since BIGINT;

CREATE INDEX connections_needs  ON connections (needs, id);
CREATE INDEX connections_status ON connections (status, id);
