// Package s3 serves Amazon Simple Storage Service. No operation is implemented yet: every
// operation answers NotImplemented.
package s3
