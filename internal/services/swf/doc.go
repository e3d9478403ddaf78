// Package swf serves Amazon Simple Workflow Service. No operation is implemented yet: every
// operation answers NotImplemented.
package swf
