-- The worklist's counts per status and group read from an index alone (issue 22; see
-- BENCHMARKS.md section 11): without it, counting read every row's record. The same on both
-- engines.
CREATE INDEX connections_counts ON connections (status, needs);
