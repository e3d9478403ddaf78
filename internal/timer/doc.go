// Package timer is Overcast's one scheduler of durable "later"s: schedules, Step Functions
// Wait states, buffers flushed after a while, anything a service would otherwise do with a
// sleeping goroutine that a restart forgets.
//
// A Timer is a row in the store (table timer_timers) named by its Kind and Key, with a due
// time and an opaque payload. Scheduling the same Kind and Key again replaces it, so
// scheduling is idempotent. The owning service registers one Handler per Kind at wiring
// time (internal/server), before Start.
//
// # Firing
//
// The Scheduler claims due timers in batches, each for a lease (on PostgreSQL with FOR
// UPDATE SKIP LOCKED, so several nodes share the work; a crashed node's claims are
// released once its heartbeat is older than Config.NodeTimeout, 15 s). It then fires each one in a store transaction of its own: the
// timer row is removed and the handler runs in that same transaction, so the handler's
// writes and the removal commit together or not at all. A handler that returns a next due
// time makes the timer recurring: it is scheduled again, in the same transaction. A handler
// that fails leaves the timer in place, retried with exponential backoff; a timer is never
// dropped.
//
// Handlers run inside a store write: on SQLite that is the one writer goroutine, shared
// with every other write. They must be quick, use only the Tx they are given (never start
// another Write: on SQLite that deadlocks), and hand slow work (calls to other services,
// HTTP) to internal/delivery by enqueueing a job in the Tx.
//
// A timer fires at least once for each time it is scheduled. Because its removal and the
// handler's store writes commit together, those writes happen exactly once; effects outside
// the store (none, if the handler follows the rule above) may repeat after a crash.
//
// # Waking
//
// The scheduler sleeps until the earliest due time on the Clock (so a virtual clock's
// Advance fires due timers at once) and wakes early when a nearer timer is scheduled: at
// once when the timer was scheduled on this node outside a transaction, and through the
// store's TimerWakeChannel notification after the commit when it was scheduled in a
// caller's transaction (in-process on SQLite, LISTEN/NOTIFY to every node on PostgreSQL).
// On PostgreSQL a node also polls every Config.PollInterval for timers no notification
// announced to it.
package timer
