-- Actions (issue 21): reconnect invitations per credential-error episode and account
-- confirmations per detection, exactly once against an API without idempotency keys; see
-- receiver/README.md ("Actions"). The same on both engines.

-- One row per credential-error episode of a connection (from entering a credential error
-- until leaving the credential errors), inserted by the transaction that records entering
-- it: the intent, before any call to Nectar.
CREATE TABLE invitation_episodes (
    connection_id         TEXT   NOT NULL REFERENCES connections (id),
    -- 1, 2, 3, ... per connection; a connection's episodes are worked on in order.
    episode               BIGINT NOT NULL,
    -- nectar_lifecycle::webhook::Episode: wanted, active, settled, closing, closed.
    state                 TEXT   NOT NULL,
    -- When it began and ended (Unix ms).
    started_at            BIGINT NOT NULL,
    ended_at              BIGINT,
    -- The entered_credential_error entry waits for the link until then (Unix ms), and is
    -- appended without one after (NECTAR_INVITATION_HOLD).
    hold_until            BIGINT NOT NULL,
    -- 1 once the entered_credential_error entry was appended.
    entry_appended        BIGINT NOT NULL DEFAULT 0,
    -- The entry's delivery (svix-id; NULL for a poll or a sweep) and status, kept for it.
    delivery_id           TEXT,
    status                TEXT   NOT NULL,
    -- The episode's invitation, as recorded: id, link, Nectar's status, expiresAt (Unix ms).
    invitation_id         TEXT,
    invitation_url        TEXT,
    invitation_status     TEXT,
    invitation_expires_at BIGINT,
    -- Invitations recorded in the episode (1, then one per replacement).
    invitations           BIGINT NOT NULL DEFAULT 0,
    -- When the worker should look next (Unix ms): now, a backoff, or the invitation's expiry.
    due_at                BIGINT NOT NULL,
    -- Until when a worker holds it (Unix ms; 0: nobody), and claims so far: a holder whose
    -- claim was superseded cannot record anything.
    leased_until          BIGINT NOT NULL DEFAULT 0,
    claims                BIGINT NOT NULL DEFAULT 0,
    -- Failed attempts in a row, and why the last failed.
    failures              BIGINT NOT NULL DEFAULT 0,
    last_error            TEXT,
    PRIMARY KEY (connection_id, episode)
);
CREATE INDEX invitation_episodes_due ON invitation_episodes (state, due_at);

-- One row per detection of accounts awaiting a tracking decision (an accounts_detected
-- entry), inserted by the transaction that appends that entry.
CREATE TABLE account_decisions (
    connection_id TEXT   NOT NULL REFERENCES connections (id),
    -- The accounts_detected entry's sequence.
    detection     BIGINT NOT NULL,
    -- wanted, then done.
    state         TEXT   NOT NULL,
    -- 1 once a confirm may have been sent (recorded before sending).
    sent          BIGINT NOT NULL DEFAULT 0,
    -- nectar_lifecycle::webhook::DecisionOutcome once done.
    outcome       TEXT,
    due_at        BIGINT NOT NULL,
    leased_until  BIGINT NOT NULL DEFAULT 0,
    claims        BIGINT NOT NULL DEFAULT 0,
    failures      BIGINT NOT NULL DEFAULT 0,
    last_error    TEXT,
    -- RFC 3339, UTC, milliseconds.
    created_at    TEXT   NOT NULL,
    PRIMARY KEY (connection_id, detection)
);
CREATE INDEX account_decisions_due ON account_decisions (state, due_at);

-- The reconnect invitation an entry carries (entered_credential_error, reconnect_invitation)
-- as JSON: {"id": .., "url": .., "expiresAt": ..}.
ALTER TABLE outbox ADD COLUMN invitation TEXT;
