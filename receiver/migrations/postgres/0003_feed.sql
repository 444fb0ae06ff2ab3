-- The feed (issue 20) on PostgreSQL. The SQLite migration (../sqlite) has the same columns
-- but `feed_tx`; see receiver/README.md ("The feed").

-- The entry's place in the feed across connections: the transaction that appended it, then
-- a sequence. A sequence alone is assigned at insert, not at commit, so a reader could pass
-- an entry whose transaction commits later and never come back for it. The feed reads only
-- entries of transactions older than every transaction still running
-- (pg_snapshot_xmin(pg_current_snapshot())), in (feed_tx, feed_id) order: nothing can
-- commit behind the cursor.
ALTER TABLE outbox ADD COLUMN feed_id     BIGSERIAL;
ALTER TABLE outbox ADD COLUMN feed_tx     xid8 NOT NULL DEFAULT pg_current_xact_id();
CREATE UNIQUE INDEX outbox_feed_id ON outbox (feed_id);
CREATE INDEX outbox_feed_order ON outbox (feed_tx, feed_id);

-- What a worker needs to act without a second call, as the connection was when the entry
-- was appended: its externalId, its company, its provider's name (datasource.name).
ALTER TABLE outbox ADD COLUMN external_id TEXT;
ALTER TABLE outbox ADD COLUMN company_id  TEXT;
ALTER TABLE outbox ADD COLUMN provider    TEXT;
