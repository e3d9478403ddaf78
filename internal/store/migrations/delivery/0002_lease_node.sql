-- lease_node is the node (node_heartbeats.id) that made the current or last claim, 0 for
-- none; it only means something while lease_token <> 0. Claims of a dead node are released
-- without waiting for their leases.
ALTER TABLE delivery_jobs ADD COLUMN lease_node BIGINT NOT NULL DEFAULT 0;
CREATE INDEX delivery_jobs_lease_node ON delivery_jobs (lease_node) WHERE lease_token <> 0;
