-- Sweeps (issue 19) on SQLite. The PostgreSQL migration (../postgres) is the same columns and
-- tables; see receiver/README.md ("Schema").

-- The company a connection belongs to (`company.id` of its last observation that had one),
-- and the times a sweep needs to tell which stored connections it did not list (Unix ms).
ALTER TABLE connections ADD COLUMN company_id       TEXT;
-- When the row was inserted: a connection first seen during a sweep was not there to list.
ALTER TABLE connections ADD COLUMN first_seen_at    BIGINT;
-- When a sweep last listed it.
ALTER TABLE connections ADD COLUMN last_listed_at   BIGINT;
-- Since when complete sweeps have not listed it (NULL: the last one did, or none ran); the
-- record's JSON then carries the same mark under `listing`.
ALTER TABLE connections ADD COLUMN not_listed_since BIGINT;

CREATE INDEX connections_company_id ON connections (company_id);

-- One row per company swept: when its next sweep is due, and the lease of the instance
-- sweeping it now (one sweep per company at a time, across instances).
CREATE TABLE sweeps (
    company_id        TEXT    NOT NULL PRIMARY KEY,
    -- When the next sweep may start (Unix ms).
    due_at            BIGINT  NOT NULL,
    -- Until when the current sweep's holder keeps it (Unix ms; 0: nobody holds it). The
    -- holder renews it after every page; past it, another instance may start the sweep over.
    leased_until      BIGINT  NOT NULL DEFAULT 0,
    -- Claims so far: the current claim's number, so that a holder whose lease was taken over
    -- can neither renew nor finish it.
    claims            BIGINT  NOT NULL DEFAULT 0,
    -- When the current (or last) sweep started (Unix ms).
    started_at        BIGINT,
    -- Failed sweeps in a row since the last complete one; the retry backs off with it.
    failures          BIGINT  NOT NULL DEFAULT 0,
    -- Why the last sweep failed, if it did.
    last_error        TEXT,
    -- When the last complete sweep ended (RFC 3339, UTC, milliseconds), with the connections
    -- it listed and the stored ones it did not.
    last_completed_at TEXT,
    last_listed       BIGINT,
    last_not_listed   BIGINT
);
