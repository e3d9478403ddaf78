// Package logs serves Amazon CloudWatch Logs. No operation is implemented yet: every
// operation answers NotImplemented.
package logs
