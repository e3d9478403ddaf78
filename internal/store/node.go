package store

import (
	"context"
	"fmt"
)

// NodeHeartbeatParams is one heartbeat of a claiming node.
type NodeHeartbeatParams struct {
	// Node is the node's id: random at its start, never 0.
	Node int64
	// Now is the current time; it becomes the node's last heartbeat.
	Now int64
	// DeadBefore is the dead-node threshold: other nodes whose last heartbeat is before it
	// are dead. Zero releases nothing.
	DeadBefore int64
	// DueAt is when released claims become due, on the clock of the jobs and timers (a
	// virtual one, possibly, while heartbeats follow the wall clock). Zero means Now.
	DueAt int64
}

// NodeHeartbeatResult is what NodeHeartbeat released.
type NodeHeartbeatResult struct {
	// Dead are the ids of the dead nodes whose rows it deleted.
	Dead []int64
	// Jobs and Timers count the claims of those nodes it released.
	Jobs, Timers int64
}

// NodeHeartbeat records that p.Node is alive at p.Now, and releases the claims of the
// nodes whose last heartbeat is before p.DeadBefore: their delivery jobs and timers become
// due at p.DueAt, as DeliveryJobReleaseClaims and TimerReleaseClaims make them (the attempts
// those claims counted stay counted: the deliveries may have happened), and their rows are
// deleted. A released claim is void: its holder, should it be alive after all, can no
// longer finish or retry the job or timer, so no two nodes ever hold one. Claims of a node
// without a row (one that never sent a heartbeat) wait for their leases. Several nodes may
// call it at once; each dead node is released by one of them. A heartbeat lost in a
// database crash only makes the node look older, so it is a lazy write (see DB.WriteLazy).
func (db *DB) NodeHeartbeat(ctx context.Context, p *NodeHeartbeatParams) (*NodeHeartbeatResult, error) {
	if p.Node == 0 {
		return nil, fmt.Errorf("node heartbeat: zero node")
	}
	due := p.DueAt
	if due == 0 {
		due = p.Now
	}
	var res NodeHeartbeatResult
	err := db.WriteLazy(ctx, func(tx *Tx) error {
		res = NodeHeartbeatResult{}
		if _, err := tx.Exec(ctx, "INSERT INTO node_heartbeats (id, seen_at) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET seen_at = excluded.seen_at",
			p.Node, p.Now); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, "DELETE FROM node_heartbeats WHERE seen_at < ? AND id <> ? RETURNING id", p.DeadBefore, p.Node)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return err
			}
			res.Dead = append(res.Dead, id)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		rows.Close()
		if len(res.Dead) == 0 {
			return nil
		}
		// A node found dead that was only slow comes back as a new row with its next
		// heartbeat; the claims released here stay released, their tokens void.
		res.Jobs, err = tx.Exec(ctx, "UPDATE delivery_jobs SET lease_token = 0, run_at = ? WHERE lease_token <> 0 AND lease_node IN ("+inList(len(res.Dead))+")",
			int64Args(res.Dead, due)...)
		if err != nil {
			return err
		}
		res.Timers, err = tx.Exec(ctx, "UPDATE timer_timers SET lease_token = 0, run_at = ? WHERE lease_token <> 0 AND lease_node IN ("+inList(len(res.Dead))+")",
			int64Args(res.Dead, due)...)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("node heartbeat: %w", err)
	}
	return &res, nil
}

// NodeDelete removes node's heartbeat row, when it stops cleanly. Its remaining claims, if
// any, then wait for their leases.
func (db *DB) NodeDelete(ctx context.Context, node int64) error {
	err := db.WriteLazy(ctx, func(tx *Tx) error {
		_, err := tx.Exec(ctx, "DELETE FROM node_heartbeats WHERE id = ?", node)
		return err
	})
	if err != nil {
		return fmt.Errorf("delete node %d: %w", node, err)
	}
	return nil
}

// NodeList returns the nodes' last heartbeats by id.
func (db *DB) NodeList(ctx context.Context) (map[int64]int64, error) {
	out := map[int64]int64{}
	err := db.Read(ctx, func(tx *Tx) error {
		rows, err := tx.Query(ctx, "SELECT id, seen_at FROM node_heartbeats")
		if err != nil {
			return err
		}
		for rows.Next() {
			var id, seen int64
			if err := rows.Scan(&id, &seen); err != nil {
				return err
			}
			out[id] = seen
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("list nodes: %w", err)
	}
	return out, nil
}
