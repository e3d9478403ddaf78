-- Nodes: the claiming processes (delivery dispatchers, timer schedulers) that share one
-- database. Times are unix milliseconds (UTC).
--
-- Each one records its id (random at start) and last heartbeat here. A node whose
-- heartbeat is older than the dead-node threshold has crashed or hung: another node deletes
-- its row and releases its claims (delivery_jobs.lease_node, timer_timers.lease_node), so
-- they are retried long before their leases expire.
CREATE TABLE node_heartbeats (
	id      BIGINT NOT NULL PRIMARY KEY,
	seen_at BIGINT NOT NULL
);
CREATE INDEX node_heartbeats_seen ON node_heartbeats (seen_at);
