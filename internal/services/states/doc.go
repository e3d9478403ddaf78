// Package states serves AWS Step Functions. No operation is implemented yet: every
// operation answers NotImplemented.
package states
