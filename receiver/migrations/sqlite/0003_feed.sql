-- The feed (issue 20) on SQLite. The PostgreSQL migration (../postgres) orders the feed by
-- transaction as well; see receiver/README.md ("The feed").

-- The entry's place in the feed across connections. Assigned inside the write transaction
-- that appends the entry (MAX + 1): SQLite has one writer at a time, so this order is the
-- order in which the entries were committed.
ALTER TABLE outbox ADD COLUMN feed_id     BIGINT;
UPDATE outbox SET feed_id = rowid;
CREATE UNIQUE INDEX outbox_feed_id ON outbox (feed_id);

-- What a worker needs to act without a second call, as the connection was when the entry
-- was appended: its externalId, its company, its provider's name (datasource.name).
ALTER TABLE outbox ADD COLUMN external_id TEXT;
ALTER TABLE outbox ADD COLUMN company_id  TEXT;
ALTER TABLE outbox ADD COLUMN provider    TEXT;
