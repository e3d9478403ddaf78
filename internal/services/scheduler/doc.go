// Package scheduler serves Amazon EventBridge Scheduler. No operation is implemented yet:
// every operation answers NotImplemented.
package scheduler
