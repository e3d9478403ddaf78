// Package storeerr holds the store's sentinel errors so that package store and its dialect
// packages (sqlite, postgres) can share them without importing each other. Services use the
// re-exported names in package store.
package storeerr

import "errors"

var (
	// ErrNotFound reports that the row a store method looked for does not exist.
	ErrNotFound = errors.New("store: not found")
	// ErrConflict reports that a write collided with an existing row (a unique key).
	ErrConflict = errors.New("store: conflict")
	// ErrPreconditionFailed reports that a conditional write found the row in another state.
	ErrPreconditionFailed = errors.New("store: precondition failed")
	// ErrClosed reports a call on a closed store.
	ErrClosed = errors.New("store: closed")
)

// Translated is a driver error classified as one of the sentinels. Its message is the
// driver's, and errors.Is matches both the sentinel and the original cause.
type Translated struct {
	Sentinel error
	Cause    error
}

// Wrap classifies cause as sentinel, keeping cause reachable through errors.As.
func Wrap(sentinel, cause error) error {
	return &Translated{Sentinel: sentinel, Cause: cause}
}

// Error returns the cause's message.
func (e *Translated) Error() string { return e.Cause.Error() }

// Unwrap returns the sentinel and the cause.
func (e *Translated) Unwrap() []error { return []error{e.Sentinel, e.Cause} }
