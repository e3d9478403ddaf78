package store

import "github.com/overcast/overcast/internal/store/internal/storeerr"

// The store's sentinel errors are the only errors services branch on (with errors.Is). Driver
// errors are translated into them by each dialect's interpretError; anything else is an
// internal failure.
var (
	// ErrNotFound reports that the row a store method looked for does not exist. A
	// sql.ErrNoRows returned from a Write or Read function becomes ErrNotFound.
	ErrNotFound = storeerr.ErrNotFound
	// ErrConflict reports that a write collided with an existing row (a unique or primary
	// key violation).
	ErrConflict = storeerr.ErrConflict
	// ErrPreconditionFailed reports that a conditional write found the row in another
	// state than the caller required. Store methods return it themselves.
	ErrPreconditionFailed = storeerr.ErrPreconditionFailed
	// ErrClosed reports a call on a closed DB.
	ErrClosed = storeerr.ErrClosed
)
