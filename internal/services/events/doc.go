// Package events serves Amazon EventBridge. No operation is implemented yet: every
// operation answers NotImplemented.
package events
