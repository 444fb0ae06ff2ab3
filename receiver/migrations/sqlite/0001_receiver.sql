-- The receiver's schema on SQLite. The PostgreSQL schema (../postgres) is the same tables,
-- columns and keys; see receiver/README.md ("Schema").

-- One row per connection: the library's `Record`, the one thing every delivery and poll of
-- the connection reads and writes. A delivery's transaction holds this row (SQLite: the
-- database's write lock, taken by BEGIN IMMEDIATE).
CREATE TABLE connections (
    id            TEXT    NOT NULL PRIMARY KEY,
    -- nectar_lifecycle::webhook::Record as JSON; NULL only inside the transaction that
    -- inserts the row for a connection's first observation.
    record        TEXT,
    -- The sequence of the connection's last outbox entry (0: none yet).
    last_sequence BIGINT  NOT NULL DEFAULT 0,
    -- When the record was last stored (RFC 3339, UTC, milliseconds).
    updated_at    TEXT
);

-- What each applied change means for the integrator's users, in order, for the integrator's
-- own worker to act on (notify the end user, create a reconnect invitation, ...).
CREATE TABLE outbox (
    connection_id TEXT    NOT NULL REFERENCES connections (id),
    -- 1, 2, 3, ... per connection, without gaps.
    sequence      BIGINT  NOT NULL,
    -- nectar_lifecycle::webhook::Notification, snake_case (`entered_credential_error`).
    notification  TEXT    NOT NULL,
    -- The connection's status after the change (`PASSWORD_INCORRECT`).
    status        TEXT    NOT NULL,
    -- The delivery (`svix-id`) that applied the change; NULL for a polled snapshot.
    delivery_id   TEXT,
    -- RFC 3339, UTC, milliseconds.
    created_at    TEXT    NOT NULL,
    PRIMARY KEY (connection_id, sequence),
    -- One delivery appends a notification at most once, whatever happens to its retries.
    UNIQUE (connection_id, delivery_id, notification)
);

-- A connection to poll (`GET /connection/{id}/details`): an event was missed or could not be
-- ordered. At most one job per connection.
CREATE TABLE poll_jobs (
    connection_id TEXT    NOT NULL PRIMARY KEY REFERENCES connections (id),
    -- Bumped by every gap recorded while the job is pending: a poll answered before the
    -- latest gap does not close it.
    generation    BIGINT  NOT NULL,
    -- How many times the job was claimed; the backoff grows with it.
    attempts      BIGINT  NOT NULL DEFAULT 0,
    -- When the job may be claimed next (Unix milliseconds): now, after a failure the
    -- backoff, while claimed the lease.
    due_at        BIGINT  NOT NULL,
    -- Why the last attempt failed, if it did.
    last_error    TEXT,
    -- RFC 3339, UTC, milliseconds.
    created_at    TEXT    NOT NULL
);

CREATE INDEX poll_jobs_due_at ON poll_jobs (due_at);
