-- lease_node is the node (node_heartbeats.id) that made the current or last claim, 0 for
-- none; it only means something while lease_token <> 0. Claims of a dead node are released
-- without waiting for their leases.
ALTER TABLE timer_timers ADD COLUMN lease_node BIGINT NOT NULL DEFAULT 0;
CREATE INDEX timer_timers_lease_node ON timer_timers (lease_node) WHERE lease_token <> 0;
