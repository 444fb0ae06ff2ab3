-- The pending entries by connection and sequence, for the pusher's claim: "no earlier entry
-- of this connection is pending" is then one index probe per candidate, whatever the
-- planner knows of the table (without it, PostgreSQL chose a quadratic anti join on a table
-- without statistics: BENCHMARKS.md section 9).
CREATE INDEX outbox_push_pending ON outbox (connection_id, sequence) WHERE push_state = 'pending';
