// Package sns serves Amazon Simple Notification Service. No operation is implemented yet:
// every operation answers NotImplemented.
package sns
