// Package monitoring serves Amazon CloudWatch. No operation is implemented yet: every
// operation answers NotImplemented.
package monitoring
