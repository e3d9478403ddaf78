// Package lambda serves AWS Lambda. No operation is implemented yet: every operation
// answers NotImplemented.
package lambda
