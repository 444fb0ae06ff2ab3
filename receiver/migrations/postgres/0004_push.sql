-- Push (issue 20): each outbox entry delivered to the integrator's app (NOTIFY_URL), at
-- least once, in order per connection; see receiver/README.md ("Push"). The same on both
-- engines.

-- pending (to push, or being pushed: then push_due_at is the end of the pusher's lease),
-- delivered (the app answered 2xx), failed (every attempt of the schedule failed: the dead
-- letter; POST /notifications/{id}/redeliver makes it pending again).
ALTER TABLE outbox ADD COLUMN push_state      TEXT   NOT NULL DEFAULT 'pending';
-- Attempts so far (claims), and when the next may start (Unix ms).
ALTER TABLE outbox ADD COLUMN push_attempts   BIGINT NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN push_due_at     BIGINT NOT NULL DEFAULT 0;
-- Why the last attempt failed, and when the app took it (RFC 3339, UTC, milliseconds).
ALTER TABLE outbox ADD COLUMN push_last_error TEXT;
ALTER TABLE outbox ADD COLUMN pushed_at       TEXT;

CREATE INDEX outbox_push_due ON outbox (push_state, push_due_at);
